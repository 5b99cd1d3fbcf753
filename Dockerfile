# Switchyard's production image: the compiled build (`pnpm build`) on plain Node.js, production
# dependencies only, as a non-root user. One image runs every role (SWITCHYARD_ROLE=all, api or
# worker) and the provider simulator (node apps/provider-sim/dist/main.js); see docs/deploy.md.
# test/dockerfile.test.ts runs this file's RUN steps of the build stage in a copy of the
# working tree, then starts the result: keep every RUN step of that stage runnable there.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The packageManager version of package.json (corepack is not used).
RUN npm install --global pnpm@10.34.9
# Fetch every locked package into pnpm's store first, so this layer stays cached until the
# lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm build
# Keep the production dependencies only: a fresh production install from the store filled
# above. In this workspace `pnpm prune --prod` straight after the full install empties the
# workspace packages' node_modules, and `pnpm install --prod` over it leaves the development
# packages in node_modules/.pnpm (320 MB instead of 121 MB).
RUN rm -rf node_modules packages/*/node_modules apps/*/node_modules \
  && pnpm install --frozen-lockfile --offline --prod
# The runtime needs package.json files, dist/, node_modules and the example configurations.
RUN rm -rf test bench docs scripts packages/*/src apps/*/src apps/*/tsconfig.build.json \
  packages/*/tsconfig.build.json packages/*/dist/*.tsbuildinfo apps/*/dist/*.tsbuildinfo

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  PORT=8080
WORKDIR /app
COPY --from=build /app /app
# The image's unprivileged `node` user; the files stay root's, read-only to the process.
USER node
EXPOSE 8080
# Answers for the `api` and `all` roles; a worker serves no HTTP (docker-compose.yml turns the
# check off for workers and points the simulator's at its own port).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/switchyard/dist/main.js"]
