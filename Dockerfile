# Polyport broker image: build with the full toolchain, run with production deps only.
#   docker build -t polyport .     (or: docker compose up --build)
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.base.json ./
COPY core ./core
COPY protocols ./protocols
COPY src ./src
# builds core, protocols and src (src's project references); tests and bench are not part of the image
RUN npx tsc -b src && npm prune --omit=dev

FROM node:20-slim
ENV NODE_ENV=production \
    POLYPORT_CONFIG_FILE=/etc/polyport/polyport.conf
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Data in /data (a volume). Container traffic never comes from loopback, so, as in
# RabbitMQ's official image, guest may connect from anywhere: publish the ports on
# 127.0.0.1 only (docker-compose.yml does) or set your own default_user/default_pass
# by mounting a config file over /etc/polyport/polyport.conf.
RUN mkdir -p /etc/polyport /data \
 && printf '%s\n' 'data_dir = /data' 'loopback_users = none' > /etc/polyport/polyport.conf \
 && chown node:node /data
VOLUME /data
USER node
# 5672 AMQP, 5671 AMQPS; the others are reserved for MQTT/STOMP/WebSocket/management/metrics (planned)
EXPOSE 5672 5671 1883 8883 61613 15672 15674 15675 15692
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
