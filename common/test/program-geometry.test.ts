// The program's geometry: one rule for the console's program monitor and the server-side mix.
import { describe, expect, it } from 'vitest';
import { defaultLayout, templateGeometry } from '../layout';
import { mixRects, programBoxes } from '../program-geometry';

const people = [
  { userId: 'host', streamCode: 'host_code' },
  { userId: 'guest', streamCode: 'guest_code' },
];

describe('program geometry', () => {
  it('draws a client-side mix exactly as the room layout says, hand-placed rectangles and z-order included', () => {
    const layout = defaultLayout(1, people);
    const moved = { ...layout, participants: layout.participants.map((p) => (p.userId === 'guest' ? { ...p, rect: { x: 0.1, y: 0.2, w: 0.3, h: 0.3 }, z: 5 } : p)) };
    const boxes = programBoxes(moved, null);
    expect(boxes.map((b) => [b.userId, b.rect, b.z])).toEqual([
      ['host', { x: 0, y: 0, w: 1, h: 1 }, 0],
      ['guest', { x: 0.1, y: 0.2, w: 0.3, h: 0.3 }, 5],
    ]);
  });

  it('draws a server-side mix with the template rectangles in party order, whatever was hand-placed', () => {
    const layout = defaultLayout(1, people);
    const moved = { ...layout, participants: layout.participants.map((p) => (p.userId === 'guest' ? { ...p, rect: { x: 0.1, y: 0.2, w: 0.3, h: 0.3 } } : p)) };
    expect(programBoxes(moved, 2).map((b) => b.rect)).toEqual(templateGeometry(2, 2));
  });

  it('lets a party alone fill the frame in any server template', () => {
    for (const id of [1, 2, 3] as const) expect(mixRects(id, 1)).toEqual([{ x: 0, y: 0, w: 1, h: 1 }]);
  });

  it('leaves out parties beyond the server template’s capacity', () => {
    const five = Array.from({ length: 5 }, (_, i) => ({ userId: `u${i}`, streamCode: `c${i}` }));
    expect(programBoxes(defaultLayout(1, five), 3)).toHaveLength(4);
  });
});
