/**
 * Text measurement and placement for the report's SVG, which has no script to measure text: a
 * width estimate on the wide side for the report's sans-serif at 11 px (the Chromium test
 * measures the real boxes and checks that no two labels overlap).
 */
export function textWidth(text: string, bold = false, px = 11): number {
  return Math.ceil([...text].length * px * (bold ? 0.64 : 0.58)) + 2;
}

/** A label's horizontal extent. */
export interface Span {
  readonly x0: number;
  readonly x1: number;
}

/**
 * Puts each span (in the given order) on the first lane where it overlaps no span already there,
 * keeping `gap` pixels between neighbours; returns each span's lane (0 is the first).
 */
export function assignLanes(spans: readonly Span[], gap = 8): number[] {
  const lanes: Span[][] = [];
  return spans.map((span) => {
    let lane = lanes.findIndex((placed) =>
      placed.every((p) => span.x1 + gap <= p.x0 || span.x0 >= p.x1 + gap),
    );
    if (lane === -1) {
      lane = lanes.length;
      lanes.push([]);
    }
    (lanes[lane] as Span[]).push(span);
    return lane;
  });
}

/** Where a label of `width` goes around `x` without leaving `[min, max]`: its span and anchor. */
export function placeLabel(
  x: number,
  width: number,
  min: number,
  max: number,
): Span & { readonly anchor: 'start' | 'middle' | 'end'; readonly x: number } {
  if (x - width / 2 < min) return { x0: min, x1: min + width, anchor: 'start', x: min };
  if (x + width / 2 > max) return { x0: max - width, x1: max, anchor: 'end', x: max };
  return { x0: x - width / 2, x1: x + width / 2, anchor: 'middle', x };
}
