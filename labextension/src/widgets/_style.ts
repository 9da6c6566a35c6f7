/** Add a stylesheet to the document once, however many views use it. */
export function ensureStyle(id: string, css: string): void {
  if (document.getElementById(id)) {
    return;
  }
  const style = document.createElement('style');
  style.id = id;
  style.textContent = css;
  document.head.appendChild(style);
}
