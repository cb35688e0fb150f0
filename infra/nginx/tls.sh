#!/bin/sh
# TLS at the edge, when NGINX_TLS_PORT is set (infra/compose/tls.yml): run by
# the nginx image's entrypoint from /docker-entrypoint.d/ before nginx starts,
# it writes /tmp/edge/tls.conf, which the server block includes: a TLS
# listener with the certificate and key of the tls_cert and tls_key secrets,
# and plain HTTP redirected to HTTPS (but the proxy's own health check).
# Strict-Transport-Security is sent on TLS answers only (the template's map).
#
#   NGINX_TLS_PORT         the port nginx listens on for TLS inside the container
#   NGINX_TLS_PUBLIC_PORT  the port clients reach it on, for the redirect (default 443)
set -eu

dir=/tmp/edge
mkdir -p "$dir"
[ -n "${NGINX_TLS_PORT:-}" ] || exit 0

public_port=${NGINX_TLS_PUBLIC_PORT:-443}
authority_port=":$public_port"
[ "$public_port" = 443 ] && authority_port=""

cat >"$dir/tls.conf" <<CONF
listen ${NGINX_TLS_PORT} ssl;
ssl_certificate /run/secrets/tls_cert;
ssl_certificate_key /run/secrets/tls_key;
ssl_protocols TLSv1.2 TLSv1.3;
ssl_session_cache shared:tls:10m;
ssl_session_timeout 1h;

set \$to_https "";
if (\$scheme = http) { set \$to_https "yes"; }
if (\$uri = /nginx-health) { set \$to_https ""; }
if (\$to_https) { return 308 https://\$host${authority_port}\$request_uri; }
CONF
echo "tls.sh: TLS on port ${NGINX_TLS_PORT}, plain HTTP redirected to port ${public_port}"
