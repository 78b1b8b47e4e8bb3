#!/usr/bin/python3
"""Writes the expected outputs of every tests/golden/sigv4/<case>/ from botocore.

Each case directory holds two inputs, written by hand:
  request.txt   a raw HTTP/1.1 request in the AWS SigV4 test-suite form
  context.json  {"service", "region", "time", and optionally "s3", "no_normalize_path",
                 "sign_payload_hash", "presign" (seconds), "session_token"}; the flags mean
                 what the `dwh aws sign` options of the same names mean
and gets these outputs, exactly as botocore produced them (no trailing newline):
  canonical_request.txt, string_to_sign.txt, signing_key.hex, signature.txt, and
  authorization.txt (header signing) or url.txt (presigning).

The credentials are AWS's documented example pair. Run with Debian's python:
  /usr/bin/python3 tests/tools/botocore_sigv4_goldens.py [tests/golden/sigv4]
"""

import hashlib
import json
import pathlib
import sys
from urllib.parse import unquote_to_bytes

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from botocore_sigv4_common import sign_case  # noqa: E402

ACCESS_KEY = 'AKIDEXAMPLE'
SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'


def decode_query(raw):
    """Mirrors dwh::aws::decode_query: split on '&' then '=', percent-decode, '+' kept."""
    pairs = []
    for piece in raw.split('&'):
        if not piece:
            continue
        key, _, value = piece.partition('=')
        pairs.append([unquote_to_bytes(key).decode('utf-8'),
                      unquote_to_bytes(value).decode('utf-8')])
    return pairs


def _next_line(rest):
    nl = rest.find(b'\n')
    line, rest, more = (rest, b'', False) if nl < 0 else (rest[:nl], rest[nl + 1:], True)
    return (line[:-1] if line.endswith(b'\r') else line), rest, more


def parse_request_text(data):
    """Mirrors dwh::aws::parse_request_text: folded lines become further values."""
    line, rest, more = _next_line(data)
    request_line = line.decode('utf-8')
    method, _, after_method = request_line.partition(' ')
    target, _, version = after_method.rpartition(' ')
    assert version.startswith('HTTP/'), request_line
    path, _, raw_query = target.partition('?')
    headers, body = [], b''
    while more:
        raw, rest, more = _next_line(rest)
        line = raw.decode('utf-8')
        if not line:
            body = rest
            break
        if line[0] in ' \t':
            headers.append([headers[-1][0], line.strip(' \t')])
            continue
        name, colon, value = line.partition(':')
        assert colon and name and not any(c in name for c in ' \t'), line
        headers.append([name, value])
    return {'method': method, 'path': path, 'query': decode_query(raw_query),
            'headers': headers, 'body': body}


def header_value(headers, name):
    return next((v.strip(' \t') for n, v in headers if n.lower() == name.lower()), None)


def case_from(directory):
    request = parse_request_text((directory / 'request.txt').read_bytes())
    context = json.loads((directory / 'context.json').read_text())
    s3 = context.get('s3', False)
    presign = context.get('presign', 0)
    declared = header_value(request['headers'], 'x-amz-content-sha256')
    if s3 and not presign and declared not in (None, UNSIGNED_PAYLOAD):
        # S3SigV4Auth recomputes the hash; our signer trusts the header. Same only if right.
        assert declared == hashlib.sha256(request['body']).hexdigest(), directory
    return dict(
        request,
        service=context['service'], region=context['region'], time=context['time'],
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, token=context.get('session_token'),
        s3=s3, presign=presign,
        normalize_path=not s3 and not context.get('no_normalize_path', False),
        sign_payload_hash=s3 or context.get('sign_payload_hash', False),
        unsigned_payload=declared == UNSIGNED_PAYLOAD,
    )


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[1] / 'golden' / 'sigv4')
    for directory in sorted(p for p in root.iterdir() if (p / 'request.txt').exists()):
        result = sign_case(case_from(directory))
        outputs = {
            'canonical_request.txt': result['canonical_request'],
            'string_to_sign.txt': result['string_to_sign'],
            'signing_key.hex': result['signing_key_hex'],
            'signature.txt': result['signature'],
        }
        if 'url' in result:
            outputs['url.txt'] = result['url']
        else:
            outputs['authorization.txt'] = result['authorization']
        for name, text in outputs.items():
            (directory / name).write_bytes(text.encode('utf-8'))
        print(directory.name)


if __name__ == '__main__':
    main()
