// @ts-check
// Put freshly built legend nodes on the page by changing only what differs. A live chart's legend
// has the same elements every frame and new numbers in them: replacing the elements would make
// the browser style and lay them out anew each frame; changing a text or an attribute of an
// element already there costs only what changed.

/** @param {Node} a @param {Node} b whether `a` can take `b`'s content: same tags, same attribute names, same tree */
function sameShape(a, b) {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  if (a instanceof Element && b instanceof Element) {
    const na = a.getAttributeNames(), nb = b.getAttributeNames();
    if (na.length !== nb.length || na.some((n, k) => n !== nb[k])) return false;
  }
  const ca = a.childNodes, cb = b.childNodes;
  if (ca.length !== cb.length) return false;
  for (let k = 0; k < ca.length; k++) if (!sameShape(ca[k], cb[k])) return false;
  return true;
}

/** @param {Node} a @param {Node} b copy `b`'s texts and attribute values into `a` (same shape) */
function copyInto(a, b) {
  if (a.nodeType === Node.TEXT_NODE) {
    if (a.nodeValue !== b.nodeValue) a.nodeValue = b.nodeValue;
    return;
  }
  if (a instanceof Element && b instanceof Element) {
    for (const name of b.getAttributeNames()) {
      const v = b.getAttribute(name);
      if (a.getAttribute(name) !== v && v !== null) a.setAttribute(name, v);
    }
  }
  const ca = a.childNodes, cb = b.childNodes;
  for (let k = 0; k < ca.length; k++) copyInto(ca[k], cb[k]);
}

/**
 * Make `parent`'s children equal to `next`: in place where the elements are the same but for
 * texts and attribute values, else replaced.
 * @param {Element} parent
 * @param {Node[]} next
 */
export function patchChildren(parent, next) {
  const old = parent.childNodes;
  if (old.length !== next.length || next.some((n, k) => !sameShape(old[k], n))) {
    parent.replaceChildren(...next);
    return;
  }
  next.forEach((n, k) => copyInto(old[k], n));
}
