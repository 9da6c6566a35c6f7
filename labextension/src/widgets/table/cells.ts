/**
 * Rendering of one cell into a table cell element. Text always goes in through
 * textContent and title, never innerHTML: a value such as `<img src=x onerror=...>`
 * shows as the characters it is.
 */
import type { Cell } from '../_shared/protocol';

/** The only image sources shown: PNG or JPEG data URLs, as the kernel makes them. */
export const IMAGE_URL = /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]+$/;

export function renderCell(td: HTMLTableCellElement, cell: Cell): void {
  td.className = 'dci-cell';
  td.removeAttribute('title');
  if (typeof cell === 'string') {
    td.textContent = cell;
    return;
  }
  if ('na' in cell) {
    td.textContent = cell.na;
    td.classList.add('dci-na');
    td.title = `missing value (${cell.na})`;
    return;
  }
  if ('img' in cell) {
    td.textContent = '';
    // Only data URLs of PNG or JPEG that the kernel made are accepted: anything else
    // is shown as text so a crafted value cannot point the page elsewhere.
    if (IMAGE_URL.test(cell.img)) {
      const img = document.createElement('img');
      img.className = 'dci-thumb';
      img.src = cell.img;
      img.alt = cell.alt;
      img.title = cell.alt;
      td.appendChild(img);
    } else {
      td.textContent = cell.alt;
    }
    return;
  }
  if ('full' in cell) {
    td.textContent = cell.text;
    td.title = cell.full;
    td.classList.add('dci-truncated');
    return;
  }
  td.textContent = cell.err;
  td.classList.add('dci-cell-error');
  td.title = cell.err;
}

/** Text of a cell for copying to the clipboard. */
export function cellText(cell: Cell): string {
  if (typeof cell === 'string') {
    return cell;
  }
  if ('na' in cell) {
    return cell.na;
  }
  if ('img' in cell) {
    return cell.alt;
  }
  if ('full' in cell) {
    return cell.full;
  }
  return cell.err;
}
