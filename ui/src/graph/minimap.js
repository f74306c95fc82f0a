// The minimap: the whole drawing in small in a corner of the graph, the datasets as blocks and the
// part in view as a frame; a click or a drag on it moves the view there.
/** @import { Core } from 'cytoscape' */

const W = 180;
const H = 120;

/**
 * Draw the minimap of ``cy`` over the bottom right corner of ``container`` (replacing any before).
 * @param {HTMLElement} container  the graph's element; its parent holds the minimap
 * @param {Core} cy
 */
export function drawMinimap(container, cy) {
  const host = container.parentElement;
  if (!host) return;
  host.querySelector('canvas.minimap')?.remove();
  const canvas = document.createElement('canvas');
  canvas.className = 'minimap';
  canvas.id = 'minimap';
  canvas.width = W;
  canvas.height = H;
  canvas.title = 'The whole graph: click or drag to move the view';
  host.append(canvas);
  const context = canvas.getContext('2d');
  if (!context) return;
  const ctx = context;
  const whole = cy.elements().boundingBox();
  const scale = Math.min((W - 8) / Math.max(whole.w, 1), (H - 8) / Math.max(whole.h, 1));
  /** @param {number} x @param {number} y model position -> minimap */
  const at = (x, y) => [4 + (x - whole.x1) * scale, 4 + (y - whole.y1) * scale];
  let queued = false;
  const paint = () => {
    queued = false;
    if (cy.destroyed()) return; // drawn again since the frame was asked for
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = '#8a94a6';
    cy.nodes('.box, .summary').forEach((n) => {
      const b = n.boundingBox();
      const [x, y] = at(b.x1, b.y1);
      ctx.fillRect(x, y, Math.max(1, b.w * scale), Math.max(1, b.h * scale));
    });
    const view = cy.extent();
    const [x, y] = at(view.x1, view.y1);
    ctx.strokeStyle = '#1d4ed8';
    ctx.lineWidth = 2;
    ctx.strokeRect(x, y, view.w * scale, view.h * scale);
  };
  const schedule = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(paint);
    }
  };
  cy.on('viewport resize', schedule);
  /** @param {PointerEvent} event */
  const moveTo = (event) => {
    const r = canvas.getBoundingClientRect();
    const mx = whole.x1 + (event.clientX - r.left - 4) / scale;
    const my = whole.y1 + (event.clientY - r.top - 4) / scale;
    cy.pan({ x: cy.width() / 2 - mx * cy.zoom(), y: cy.height() / 2 - my * cy.zoom() });
  };
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    moveTo(event);
  });
  canvas.addEventListener('pointermove', (event) => { if (canvas.hasPointerCapture(event.pointerId)) moveTo(event); });
  paint();
}
