// The CLI as a few bundled chunks (dist/bundle/), which bin/lbctl runs: Node loads three files to start
// a plan instead of some 180 (zod alone is ~100 modules), which is most of a small plan's start-up.
// Each command stays its own chunk, loaded on demand; execa lands in the chunk of the host adapters, which
// only commands that run processes load. yaml and jsdiff are required lazily and never enter the bundle:
// they are the package's only dependencies, shipped inside its tarball (bundleDependencies; neither has
// dependencies of its own). The build sends rolldown's chunk table (stdout) away; its errors go to stderr
// and fail the build.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli/main.js',
  platform: 'node',
  output: { dir: 'dist/bundle', format: 'esm', sourcemap: true },
});
