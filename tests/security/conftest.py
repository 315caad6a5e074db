# The browser fixtures of tests/browser (one JupyterLab server per session, one chromium per module,
# a context per test), reused rather than duplicated.
from tests.browser.conftest import browser, bundles, lab, page  # noqa: F401
