#!/usr/bin/env bash
# Makes the certificates the TLS tests use, with the openssl command-line
# tool, in DIR (which must exist):
#
#   ca.pem, ca.key                  the test CA that tests trust
#   valid.pem, valid.key            CN=localhost, SAN DNS:localhost,
#                                   IP:127.0.0.1, IP:::1; signed by the CA
#   expired.pem, expired.key        the same names, signed by the CA, expired
#                                   (valid only in January 2020)
#   wronghost.pem, wronghost.key    CN and SAN wrong.example, signed by the CA
#   selfsigned.pem, selfsigned.key  localhost names, self-signed
#   client.pem, client.key          CN=libasync-test-client, clientAuth,
#                                   signed by the CA
#   otherca.pem, otherca.key        a second CA that signed none of these
#
#   make-certs.sh DIR
#
# Keys are EC P-256, signatures SHA-256. The working files (configuration,
# requests, the CA's database) go to DIR/ca/.
set -euo pipefail

if (($# != 1)) || [[ ! -d "$1" ]]; then
  echo "usage: $(basename "$0") DIR (an existing directory)" >&2
  exit 2
fi
dir=$(cd "$1" && pwd)
work="$dir/ca"
mkdir -p "$work/newcerts"
: >"$work/index.txt"
echo 1000 >"$work/serial"

# Runs openssl quietly: its chatter is shown only if it fails.
ossl() {
  if ! openssl "$@" >"$work/openssl.out" 2>&1; then
    echo "$(basename "$0"): openssl $* failed:" >&2
    cat "$work/openssl.out" >&2
    exit 1
  fi
}

# Our own configuration, so that nothing depends on the system's openssl.cnf.
cat >"$work/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt             = no

[ req_dn ]

[ ca ]
default_ca = test_ca

[ test_ca ]
database         = $work/index.txt
new_certs_dir    = $work/newcerts
serial           = $work/serial
certificate      = $dir/ca.pem
private_key      = $dir/ca.key
default_md       = sha256
policy           = policy_any
unique_subject   = no
email_in_dn      = no
copy_extensions  = none

[ policy_any ]
commonName = supplied

[ ext_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash

[ ext_localhost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1

[ ext_wronghost ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = DNS:wrong.example

# No keyUsage: a self-signed certificate must be able to sign itself for
# verifiers to report it as self-signed.
[ ext_selfsigned ]
basicConstraints       = critical, CA:FALSE
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1

[ ext_client ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
EOF
export OPENSSL_CONF="$work/openssl.cnf"

newkey() {
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$1.key"
}

# selfsign NAME CN EXTENSIONS
selfsign() {
  newkey "$1"
  ossl req -new -x509 -config "$OPENSSL_CONF" -key "$dir/$1.key" -sha256 \
    -days 3650 -subj "/CN=$2" -extensions "$3" -out "$dir/$1.pem"
}

# issue NAME CN EXTENSIONS [openssl ca validity options]: a certificate
# signed by the test CA.
issue() {
  local name=$1 cn=$2 ext=$3
  shift 3
  newkey "$name"
  ossl req -new -config "$OPENSSL_CONF" -key "$dir/$name.key" -subj "/CN=$cn" \
    -out "$work/$name.csr"
  ossl ca -batch -config "$OPENSSL_CONF" -notext -extfile "$OPENSSL_CONF" \
    -extensions "$ext" -in "$work/$name.csr" -out "$dir/$name.pem" "$@"
}

selfsign ca "libasync test CA" ext_ca
selfsign otherca "libasync other test CA" ext_ca
issue valid localhost ext_localhost -days 3650
issue expired localhost ext_localhost \
  -startdate 20200101000000Z -enddate 20200201000000Z
issue wronghost wrong.example ext_wronghost -days 3650
issue client libasync-test-client ext_client -days 3650
selfsign selfsigned localhost ext_selfsigned

# The two properties the tests rely on most.
ossl verify -CAfile "$dir/ca.pem" "$dir/valid.pem"
if openssl x509 -checkend 0 -noout -in "$dir/expired.pem" >/dev/null; then
  echo "$(basename "$0"): expired.pem is not expired" >&2
  exit 1
fi
