# The syncwatch API with its built dashboard. Configure it with DATABASE_URL (see README.md).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
# Dev dependencies included: the dashboard is built in the image. npm install when npm ci refuses the lock file:
# it lacks biome's non-Linux CLI packages (the registry it was made with does not serve them).
RUN npm ci --include=dev --no-audit --no-fund || npm install --include=dev --no-audit --no-fund

COPY . .
RUN npm run build:client

ENV HOST=0.0.0.0 PORT=4000
# DATA_DIR (./.data) holds export files; the unprivileged user must own it.
RUN mkdir -p .data && chown node:node .data
EXPOSE 4000
USER node
# tsx runs the TypeScript sources in this node process, which gets SIGTERM for a graceful shutdown.
CMD ["node", "--import", "tsx", "server/index.ts", "--no-demo"]
