# Cashin: production image. Build: docker build -t cashin .
# Run:  docker run --env-file .env -p 3000:3000 cashin
# Secrets come from the environment at run time; none are baked into the image.

# 1. Build: compile TypeScript to dist/ and bundle the sandbox console.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# 2. Production dependencies only: no compiler, bundler or test tool.
FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 3. Runtime: dist/ and production node_modules, run as the unprivileged node user.
FROM node:22-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json manifest.yml ./
# `npm start`, `npm run doctor` and `npm run setup:notion` check for a stale build first; with no src/ there is none.
COPY --chown=node:node scripts/build-if-stale.mjs ./scripts/
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
