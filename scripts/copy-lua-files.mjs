// Part of `pnpm build`: copies every `*.lua` file under each workspace package's src/ to the same
// place under its dist/, because the modules read their Redis scripts at run time with
// `readFileSync(new URL('./name.lua', import.meta.url))`, which tsc does not emit.
// Lua files found under dist/ that no longer exist in src/ are removed, so a renamed script
// cannot linger in a build.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const isLua = (path) => path.endsWith('.lua');

/** Every `*.lua` path under `directory`, relative to it (the `**\/*.lua` glob). */
function luaFiles(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter(isLua);
}

let copied = 0;
for (const group of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, group))) {
    const source = join(root, group, name, 'src');
    const target = join(root, group, name, 'dist');
    const wanted = new Set(luaFiles(source));
    for (const stale of luaFiles(target).filter((path) => !wanted.has(path))) rmSync(join(target, stale));
    for (const path of wanted) {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      copyFileSync(join(source, path), join(target, path));
      copied += 1;
    }
  }
}
console.log(`copied ${copied} Lua files into dist/`);
