"""The classroom: one practice market served to a class (:mod:`.server`), the requests students'
kernels and the teacher make to it (:mod:`.client`), what the server keeps (:mod:`.state`), and
practice markets read from recordings (:mod:`.recording`)."""

from .client import Classroom, ClassroomClient
from .server import ClassroomServer
from .state import Board, ClassClock

__all__ = ["Board", "ClassClock", "Classroom", "ClassroomClient", "ClassroomServer"]
