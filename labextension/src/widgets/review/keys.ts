/** The review panel's keyboard: one key per decision. */

/** What the keys act on (the ReviewView). */
export interface ReviewKeyTarget {
  relabel(classIndex: number): void;
  accept(): void;
  keep(): void;
  undo(): void;
  move(step: number): void;
}

/** Act on a key pressed in the panel whose class keys are `classKeys`. */
export function handleReviewKey(e: KeyboardEvent, root: HTMLElement, classKeys: string[], t: ReviewKeyTarget): void {
  if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) {
    return;
  }
  if (e.target instanceof HTMLElement && e.target !== root) {
    if (e.target.closest('input, textarea, select')) {
      // Typing in a filter: the control takes the key, the notebook must not.
      e.stopPropagation();
      return;
    }
    if (e.target.closest('button') !== null && (e.key === 'Enter' || e.key === ' ')) {
      // A button reached with Tab: let the browser click it, but keep the key from the notebook.
      e.stopPropagation();
      return;
    }
  }
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const classIndex = key.length === 1 ? classKeys.indexOf(key) : -1;
  let handled = true;
  if (classIndex >= 0) {
    t.relabel(classIndex);
  } else if (key === 'Enter') {
    t.accept();
  } else if (key === 'k') {
    t.keep();
  } else if (key === 'u') {
    t.undo();
  } else if (key === 'ArrowRight' || key === 'ArrowDown') {
    t.move(1);
  } else if (key === 'ArrowLeft' || key === 'ArrowUp') {
    t.move(-1);
  } else {
    handled = false;
  }
  if (handled) {
    // The notebook must never see these keys (Enter would enter edit mode, digits
    // change the cell type, arrows move the active cell).
    e.preventDefault();
    e.stopPropagation();
  }
}
