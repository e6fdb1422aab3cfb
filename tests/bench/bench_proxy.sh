#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The termination proxy beside nginx (stream module, TLS termination) and
# HAProxy (mode tcp), in one run, each with the same certificate, backend
# (a plain-HTTP nginx), TLS policy (Mozilla intermediate without DHE) and
# worker count (1, then 2): full TLS 1.3 handshakes per second with ECDSA
# P-256 and RSA-2048 (h2load -c N -n N: N full handshakes) and server CPU per
# handshake, resumed handshakes per second (TLS 1.2 and 1.3; openssl s_time
# -reuse, one connection at a time), keep-alive requests per second
# (wrk, 612-byte answer) and 1 MiB transfer throughput (wrk). Then the
# `openssl speed` signing bound and AES-128-GCM / ChaCha20 with OpenSSL's
# capability vector masked (OPENSSL_ia32cap), to show what each instruction
# set gives. Ratios within one run are the figures to read.
#
# Servers run on CPU 0 (1 worker) or CPUs 0-1 (2 workers); load generators
# and the backend on CPU 1.
# Usage: tests/bench/bench_proxy.sh [BUILD_DIR] [SECONDS] [HANDSHAKES] [REPEATS]
set -euo pipefail
. "$(dirname "$0")/bench_lib.sh"
build=${1:-build}
secs=${2:-5}
handshakes=${3:-2000}
repeats=${4:-3}
ctl="$build/app/certdeckctl"
if [[ ! -x $ctl ]]; then
    echo "build it first: cmake --build $build --target certdeckctl" >&2
    exit 3
fi
need_tool h2load nghttp2-client
need_tool wrk wrk
need_tool nginx nginx
need_tool haproxy haproxy
if [[ ! -f /usr/lib/nginx/modules/ngx_stream_module.so ]]; then
    [[ $(id -u) -eq 0 ]] || { echo "apt-get install libnginx-mod-stream (as root)" >&2; exit 3; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-stream >/dev/null
fi

cpus=$(nproc)
client_cpu=$((cpus > 1 ? 1 : 0))
work=$(mktemp -d /tmp/certdeck-bench-proxy.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    return 1
}
# CPU ticks (utime + stime) of a process and its direct children (nginx workers).
cpu_ticks() {
    local total=0 f stat rest
    for f in /proc/[0-9]*/stat; do
        stat=$(cat "$f" 2>/dev/null) || continue
        rest=${stat##*) }
        read -r -a fields <<<"$rest"
        # fields[0] is state, [1] ppid, [11] utime, [12] stime
        if [[ ${f//[^0-9]/} == "$1" || ${fields[1]} == "$1" ]]; then
            total=$((total + fields[11] + fields[12]))
        fi
    done
    echo "$total"
}

tls12_ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
tls13_suites="TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

# Certificates and the backend's files.
for kind in ecdsa rsa; do
    if [[ $kind == ecdsa ]]; then keyopt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else keyopt=(-newkey rsa:2048); fi
    openssl req -x509 "${keyopt[@]}" -nodes -keyout "$work/$kind.key" -out "$work/$kind.crt" \
        -days 30 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
    cat "$work/$kind.crt" "$work/$kind.key" >"$work/$kind.pem"
    chmod 600 "$work/$kind.key" "$work/$kind.pem"
done
mkdir -p "$work/www" "$work/backend"
head -c 612 /dev/zero | tr '\0' 'x' >"$work/www/small"
head -c 1048576 /dev/urandom >"$work/www/1m"

backend_port=$(free_port)
cat >"$work/backend/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/backend/nginx.pid;
error_log $work/backend/error.log;
events { worker_connections 20000; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $work/backend; proxy_temp_path $work/backend; fastcgi_temp_path $work/backend;
  uwsgi_temp_path $work/backend; scgi_temp_path $work/backend;
  server { listen 127.0.0.1:$backend_port backlog=4096; root $work/www; }
}
CONF
taskset -c "$client_cpu" nginx -p "$work/backend" -e "$work/backend/error.log" -c "$work/backend/nginx.conf" &
pids+=($!)
wait_port "$backend_port"

# start_server NAME WORKERS CERT: sets server_pid and server_port.
start_server() {
    local name=$1 workers=$2 cert=$3 cpuset
    cpuset=$([[ $workers -gt 1 ]] && echo "0-$((cpus - 1))" || echo 0)
    server_port=$(free_port)
    local dir="$work/$name-$workers-$cert"
    mkdir -p "$dir"
    case $name in
    certdeck)
        taskset -c "$cpuset" "$ctl" proxy --listen "127.0.0.1:$server_port" \
            --backend "127.0.0.1:$backend_port" --cert "$work/$cert.pem" --workers "$workers" \
            --policy intermediate --max-connections 30000 >"$dir/log" 2>&1 &
        ;;
    nginx)
        cat >"$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
daemon off; worker_processes $workers; pid $dir/nginx.pid; error_log $dir/error.log;
events { worker_connections 30000; }
stream {
  server {
    listen 127.0.0.1:$server_port ssl backlog=4096;
    ssl_certificate $work/$cert.crt; ssl_certificate_key $work/$cert.key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers $tls12_ciphers; ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_session_cache shared:SSL:20m; ssl_session_tickets on; ssl_session_timeout 2h;
    proxy_pass 127.0.0.1:$backend_port;
  }
}
CONF
        taskset -c "$cpuset" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >"$dir/log" 2>&1 &
        ;;
    haproxy)
        cat >"$dir/haproxy.cfg" <<CONF
global
  nbthread $workers
  maxconn 9000
  ssl-default-bind-ciphers $tls12_ciphers
  ssl-default-bind-ciphersuites $tls13_suites
  ssl-default-bind-options ssl-min-ver TLSv1.2
  tune.ssl.default-dh-param 2048
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$server_port ssl crt $work/$cert.pem curves X25519:P-256:P-384
  default_backend be
backend be
  server s1 127.0.0.1:$backend_port
CONF
        taskset -c "$cpuset" haproxy -db -f "$dir/haproxy.cfg" >"$dir/log" 2>&1 &
        ;;
    esac
    server_pid=$!
    pids+=("$server_pid")
    if ! wait_port "$server_port"; then
        echo "$name did not start:" >&2
        cat "$dir/log" "$dir/error.log" 2>/dev/null >&2 || true
        exit 1
    fi
}
stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

run_client() { taskset -c "$client_cpu" "$@" 2>&1; }

# full_handshakes PORT: "rate cpu_ms_per_handshake"
full_handshakes() {
    local before after out rate ok
    before=$(cpu_ticks "$server_pid")
    out=$(run_client h2load --h1 -t1 -c "$handshakes" -n "$handshakes" "https://127.0.0.1:$1/small")
    after=$(cpu_ticks "$server_pid")
    ok=$(grep -o "$handshakes succeeded" <<<"$out" || true)
    rate=$(awk '/finished in/ {gsub(",", "", $4); print $4}' <<<"$out")
    [[ -n $ok ]] || rate="failed"
    echo "$rate $(awk -v t=$((after - before)) -v n="$handshakes" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t * 1000 / hz / n }')"
}
# resumed PORT tls1_2|tls1_3: resumed handshakes per second, one connection
# at a time (openssl s_time -reuse; h2load cannot force TLS 1.2, and its
# duration mode hangs with Connection: close). s_time counts whole seconds:
# the wall clock is taken here.
resumed() {
    local start end out n
    start=$(date +%s.%N)
    out=$(run_client openssl s_time -connect "127.0.0.1:$1" -reuse "-$2" -time "$secs" -www /small)
    end=$(date +%s.%N)
    n=$(awk '/connections in .* real seconds/ {print $1; exit}' <<<"$out")
    awk -v n="${n:-0}" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }'
}
keepalive() {
    run_client wrk -t1 -c64 -d"${secs}s" "https://127.0.0.1:$1/small" | awk '/Requests\/sec/ {print $2}'
}
# MiB/s of 1 MiB answers
bulk() {
    run_client wrk -t1 -c8 -d"${secs}s" "https://127.0.0.1:$1/1m" | awk '/Transfer\/sec/ {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+/, "", v);
        if (u == "GB") v *= 1024; if (u == "KB") v /= 1024; printf "%.0f", v }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }
row() { printf "%-34s %10s %10s %10s %9s %9s\n" "$1" "$2" "$3" "$4" "$(ratio "$2" "$3")" "$(ratio "$2" "$4")"; }
# For "lower is better" figures the ratio is flipped so that >1 still means ours is better.
row_lower() { printf "%-34s %10s %10s %10s %9s %9s\n" "$1" "$2" "$3" "$4" "$(ratio "$3" "$2")" "$(ratio "$4" "$2")"; }

echo "$(nproc) CPUs; $(uname -srm); $(openssl version); nginx $(nginx -v 2>&1 | sed 's/.*\///'); HAProxy $(haproxy -v | head -1 | awk '{print $3}'); h2load $(h2load --version | awk '{print $2}'); $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
# The proxy's own hardware report (CPUID, OpenSSL's capability vector, kTLS, QAT).
"$ctl" proxy --listen 127.0.0.1:0 --backend 127.0.0.1:1 --cert "$work/ecdsa.pem" --qat-provider qatprovider >"$work/hw.log" 2>&1 &
probe_pid=$!
pids+=("$probe_pid")
for _ in $(seq 50); do grep -q "QAT:" "$work/hw.log" && break; sleep 0.1; done
kill "$probe_pid" 2>/dev/null || true
grep -E "CPU:|OpenSSL|kernel TLS|QAT" "$work/hw.log" | sed 's/^ */  /'
echo "seconds per load run: $secs; full handshakes per run: $handshakes; medians of $repeats interleaved runs"

# All six servers of a worker count run at once (idle when not measured) and
# the measurements go round-robin over them, REPEATS times; the median is
# shown. The machine is shared: interleaving spreads its noise evenly.
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
declare -A r one port pid
for workers in 1 2; do
    for name in certdeck nginx haproxy; do
        for cert in ecdsa rsa; do
            start_server "$name" "$workers" "$cert"
            port[$name.$cert]=$server_port
            pid[$name.$cert]=$server_pid
        done
    done
    declare -A runs=()
    for _ in $(seq "$repeats"); do
        for name in certdeck nginx haproxy; do
            server_pid=${pid[$name.ecdsa]}
            read -r a b <<<"$(full_handshakes "${port[$name.ecdsa]}")"
            runs[$name.fullec]+=" $a"
            runs[$name.cpuec]+=" $b"
            server_pid=${pid[$name.rsa]}
            read -r a b <<<"$(full_handshakes "${port[$name.rsa]}")"
            runs[$name.fullrsa]+=" $a"
            runs[$name.cpursa]+=" $b"
            runs[$name.res12]+=" $(resumed "${port[$name.ecdsa]}" tls1_2)"
            runs[$name.res13]+=" $(resumed "${port[$name.ecdsa]}" tls1_3)"
            runs[$name.ka]+=" $(keepalive "${port[$name.ecdsa]}")"
            runs[$name.bulk]+=" $(bulk "${port[$name.ecdsa]}")"
        done
    done
    for key in "${!runs[@]}"; do
        r[$key]=$(median "${runs[$key]}")
    done
    for name in certdeck nginx haproxy; do
        for cert in ecdsa rsa; do
            server_pid=${pid[$name.$cert]}
            stop_server
        done
    done
    echo
    echo "== $workers worker(s)            (ratios: certdeck/nginx, certdeck/haproxy; >1 is better for certdeck)"
    printf "%-34s %10s %10s %10s %9s %9s\n" "" certdeck nginx haproxy "vs nginx" "vs haproxy"
    row "full TLS1.3 hs/s ECDSA P-256" "${r[certdeck.fullec]}" "${r[nginx.fullec]}" "${r[haproxy.fullec]}"
    row_lower "  server CPU ms per handshake" "${r[certdeck.cpuec]}" "${r[nginx.cpuec]}" "${r[haproxy.cpuec]}"
    row "full TLS1.3 hs/s RSA-2048" "${r[certdeck.fullrsa]}" "${r[nginx.fullrsa]}" "${r[haproxy.fullrsa]}"
    row_lower "  server CPU ms per handshake" "${r[certdeck.cpursa]}" "${r[nginx.cpursa]}" "${r[haproxy.cpursa]}"
    row "resumed TLS1.2 hs/s (s_time)" "${r[certdeck.res12]}" "${r[nginx.res12]}" "${r[haproxy.res12]}"
    row "resumed TLS1.3 hs/s (s_time)" "${r[certdeck.res13]}" "${r[nginx.res13]}" "${r[haproxy.res13]}"
    row "keep-alive req/s (wrk -c64, 612 B)" "${r[certdeck.ka]}" "${r[nginx.ka]}" "${r[haproxy.ka]}"
    row "1 MiB transfers MiB/s (wrk -c8)" "${r[certdeck.bulk]}" "${r[nginx.bulk]}" "${r[haproxy.bulk]}"
    if [[ $workers == 1 ]]; then
        for name in certdeck nginx haproxy; do
            one[$name.cpuec]=${r[$name.cpuec]}
            one[$name.cpursa]=${r[$name.cpursa]}
        done
    fi
done

echo
echo "== openssl speed (one core): the signing bound of a full handshake"
echo "   (h2load is client-bound here; the server-CPU bound is 1000 / server CPU ms per handshake, 1 worker)"
ec_sign=$(taskset -c 0 openssl speed -seconds 2 ecdsap256 2>/dev/null | awk '/nistp256\)/ {print $(NF-1)}')
rsa_sign=$(taskset -c 0 openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF-1)}')
bound() { awk -v ms="$1" 'BEGIN { if (ms + 0 > 0) printf "%.0f", 1000 / ms; else print 0 }'; }
printf "ECDSA P-256 sign/s %s; certdeck server-CPU-bound handshakes/s %s (%s of it; nginx %s, haproxy %s)\n" \
    "$ec_sign" "$(bound "${one[certdeck.cpuec]}")" "$(ratio "$(bound "${one[certdeck.cpuec]}")" "$ec_sign")" \
    "$(bound "${one[nginx.cpuec]}")" "$(bound "${one[haproxy.cpuec]}")"
printf "RSA-2048 sign/s %s; certdeck server-CPU-bound handshakes/s %s (%s of it; nginx %s, haproxy %s)\n" \
    "$rsa_sign" "$(bound "${one[certdeck.cpursa]}")" "$(ratio "$(bound "${one[certdeck.cpursa]}")" "$rsa_sign")" \
    "$(bound "${one[nginx.cpursa]}")" "$(bound "${one[haproxy.cpursa]}")"

echo
echo "== AEAD throughput by instruction set (openssl speed -evp, 16 KiB blocks, MB/s, one core)"
# An empty OPENSSL_ia32cap would clear the whole vector: unset it for "all".
aead() {
    local env=(env -u OPENSSL_ia32cap)
    [[ -n $2 ]] && env=(env "OPENSSL_ia32cap=$2")
    "${env[@]}" taskset -c 0 openssl speed -seconds 2 -bytes 16384 -evp "$1" 2>/dev/null |
        awk 'END { v = $NF; sub(/k$/, "", v); printf "%.0f", v / 1000 }'
}
printf "%-44s %12s %12s\n" "capability vector" AES-128-GCM ChaCha20-Poly1305
for mask in "" ":~0x60000000000" ":~0x600000010000" "~0x200000200000000:~0x600000010000" "~0x200000200000000:~0x600000010020"; do
    case $mask in
    "") label="all (as detected)" ;;
    ":~0x60000000000") label="no VAES/VPCLMULQDQ" ;;
    ":~0x600000010000") label="no VAES/VPCLMULQDQ, no AVX-512" ;;
    "~0x200000200000000:~0x600000010000") label="no AES-NI/PCLMULQDQ, no VAES, no AVX-512" ;;
    *) label="also no AVX2" ;;
    esac
    printf "%-44s %12s %12s\n" "$label" "$(aead aes-128-gcm "$mask")" "$(aead chacha20-poly1305 "$mask")"
done
