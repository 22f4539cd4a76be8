#!/usr/bin/env node
// Draws Warden's icons (a shield with a check mark) into assets/ as PNG, with no image library:
// a polygon rasteriser with 4x4 supersampling and zlib. Run it again after changing the shape.
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// Shapes in a 24x24 box (as the UI's shield icon).
// Right half of the shield: straight down, then a curve to the tip; mirrored for the left.
const right = [[12, 2.5], [19, 5.2], [19, 11]];
for (let i = 1; i <= 24; i++) {
  const t = i / 24;
  const q = (p0, p1, p2) => (1 - t) * (1 - t) * p0 + 2 * (1 - t) * t * p1 + t * t * p2;
  right.push([q(19, 18.6, 12), q(11, 17.6, 21.5)]);
}
const outline = [...right, ...right.slice(0, -1).reverse().slice(0, -1).map(([x, y]) => [24 - x, y])];
function inside(poly, x, y) {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
const check = [[8.6, 12.2], [11, 14.6], [15.6, 9.6]];

function draw(size, { fill, mark, monochrome }) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let cover = 0, markCover = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = ((x + (sx + 0.5) / S) / size) * 24;
          const v = ((y + (sy + 0.5) / S) / size) * 24;
          if (inside(outline, u, v)) {
            cover++;
            const d = Math.min(distToSegment(u, v, check[0], check[1]), distToSegment(u, v, check[1], check[2]));
            if (d < 1.05) markCover++;
          }
        }
      }
      const a = cover / (S * S), m = markCover / (S * S);
      const i = (y * size + x) * 4;
      if (monochrome) {
        // Template image: black shield with the check cut out.
        out[i] = out[i + 1] = out[i + 2] = 0;
        out[i + 3] = Math.round(255 * Math.max(0, a - m));
      } else {
        const mix = (c0, c1) => Math.round(c0 * (1 - m / Math.max(a, 1e-9)) + c1 * (m / Math.max(a, 1e-9)));
        out[i] = mix(fill[0], mark[0]);
        out[i + 1] = mix(fill[1], mark[1]);
        out[i + 2] = mix(fill[2], mark[2]);
        out[i + 3] = Math.round(255 * a);
      }
    }
  }
  return png(size, out);
}

const dir = new URL('../assets/', import.meta.url);
mkdirSync(dir, { recursive: true });
const blue = [47, 95, 208], white = [255, 255, 255];
writeFileSync(new URL('icon.png', dir), draw(512, { fill: blue, mark: white }));
writeFileSync(new URL('tray.png', dir), draw(16, { monochrome: true }));
writeFileSync(new URL('tray@2x.png', dir), draw(32, { monochrome: true }));
writeFileSync(new URL('tray-color.png', dir), draw(32, { fill: blue, mark: white }));
console.log('assets/icon.png, tray.png, tray@2x.png, tray-color.png written');
