#!/usr/bin/python3
"""Generates random requests, signs each with botocore, and writes JSON lines for
tests/integration/sigv4_botocore_diff_test.cpp to sign again and compare byte for byte.

  /usr/bin/python3 tests/tools/botocore_sigv4_diff.py --count 2000 --seed 1 --out cases.jsonl

Deterministic for a seed. Each line holds the case (see botocore_sigv4_common), with the body
as hex, plus "expected": botocore's canonical request, string to sign, signing key, signature,
and Authorization + added headers, or URL + X-Amz-* query parameters.

What is left out, and why (botocore behaviour our signer does not copy, on purpose):
  - a Date header: botocore rewrites it and then omits X-Amz-Date;
  - for presigning: repeated query keys and a body (SigV4QueryAuth folds the query into a dict
    and moves a JSON body into it), the exact Content-Type 'application/x-www-form-urlencoded;
    charset=utf-8' (dropped), an X-Amz-Content-SHA256 header (used as the payload hash), and
    an Authorization header (SigV4QueryAuth signs it; we never sign one);
  - X-Amz-Content-SHA256 on standard-service header signing (botocore signs the caller's value);
  - whitespace other than ASCII space and tab inside header values (Python's str.split() also
    splits on Unicode spaces and \\x1c-\\x1f, which HTTP does not allow in a field value).
"""

import argparse
import datetime
import json
import pathlib
import random
import string
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from botocore_sigv4_common import SIGV4_TIMESTAMP, sign_case  # noqa: E402

UNRESERVED = string.ascii_letters + string.digits + '-_.~'
SUB_DELIMS = "!$&'()*+,;=:@"  # legal unencoded in a path segment (RFC 3986 pchar)
RESERVED_OTHERS = ' "#%/<>?[\\]^`{|}'
UNICODE = ['ሴ', 'é', 'ü', '日本', '😀', 'Ω', 'ß', '中文', 'ñ', '\u00a0']
SERVICES = ['service', 'iam', 'execute-api', 'sts', 'ec2', 'monitoring', 'logs', 'sns', 'states',
            'secretsmanager', 'redshift', 'redshift-data', 'glue', 'dynamodb']
REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'sa-east-1',
           'cn-north-1', 'us-gov-west-1', 'il-central-1']
METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'get', 'Post']
HEADER_NAMES = ['Content-Type', 'X-Amz-Meta-Author', 'My-Header', 'X-Amz-Target', 'Accept',
                'Content-MD5', 'Range', 'If-Match', 'X-Amz-Server-Side-Encryption',
                'Cache-Control', 'X-Amz-Acl', 'Content-Language', 'X-Custom-Empty']
NEVER_SIGNED = ['User-Agent', 'Expect', 'X-Amzn-Trace-Id', 'Authorization']
HOSTS = ['example.amazonaws.com', 'iam.amazonaws.com', 'bucket.s3.us-west-2.amazonaws.com',
         's3.amazonaws.com', '127.0.0.1:4568', 'localhost:9000', 'my-api.execute-api.eu-west-1.amazonaws.com']
BASE64 = string.ascii_letters + string.digits + '+/'


def word(rng, alphabet=UNRESERVED, lo=1, hi=12):
    return ''.join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def random_case_name(rng, name):
    choice = rng.random()
    if choice < 0.5:
        return name
    if choice < 0.7:
        return name.lower()
    if choice < 0.8:
        return name.upper()
    return ''.join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)


def logical_text(rng, allow_empty=True):
    """A decoded string: plain, reserved characters, Unicode, or a mix."""
    kind = rng.random()
    if allow_empty and kind < 0.05:
        return ''
    parts = []
    for _ in range(rng.randint(1, 4)):
        pick = rng.random()
        if pick < 0.45:
            parts.append(word(rng))
        elif pick < 0.75:
            parts.append(word(rng, SUB_DELIMS + RESERVED_OTHERS, 1, 3))
        else:
            parts.append(rng.choice(UNICODE))
    return ''.join(parts)


def wire_segment(rng, text):
    """Encodes a decoded segment as a client might put it on the wire: unreserved bytes
    literal, sub-delims sometimes literal, everything else %XX (hex case varies a little)."""
    out = []
    for byte in text.encode('utf-8'):
        ch = chr(byte)
        if ch in UNRESERVED or (ch in SUB_DELIMS and rng.random() < 0.5):
            out.append(ch)
        else:
            escape = '%%%02X' % byte
            out.append(escape.lower() if rng.random() < 0.05 else escape)
    return ''.join(out)


def random_path(rng):
    if rng.random() < 0.1:
        return '/'
    segments = []
    for _ in range(rng.randint(1, 6)):
        pick = rng.random()
        if pick < 0.1:
            segments.append('')           # '//'
        elif pick < 0.2:
            segments.append('.')
        elif pick < 0.3:
            segments.append('..')
        else:
            segments.append(wire_segment(rng, logical_text(rng, allow_empty=False)))
    path = '/' + '/'.join(segments)
    if rng.random() < 0.2:
        path += '/'
    return path


def random_query(rng, unique_keys):
    pairs = []
    for _ in range(rng.choice([0, 0, 1, 2, 3, 4, 6])):
        if pairs and not unique_keys and rng.random() < 0.25:
            key = rng.choice(pairs)[0]    # a repeated key, in no particular order
        else:
            key = logical_text(rng, allow_empty=not unique_keys)
            if rng.random() < 0.3:
                key = key.upper() if rng.random() < 0.5 else key.lower()
        if unique_keys and (key in (k for k, _ in pairs) or key.startswith('X-Amz-')):
            continue
        pairs.append([key, logical_text(rng)])
    return pairs


def header_value(rng):
    pad = lambda: ''.join(rng.choice(' \t') for _ in range(rng.choice([0, 0, 1, 2, 3])))
    pick = rng.random()
    if pick < 0.1:
        return pad()
    words = []
    for _ in range(rng.randint(1, 4)):
        alphabet = string.ascii_letters + string.digits + '"\',;=/:.-_()'
        words.append(word(rng, alphabet, 1, 8) if rng.random() < 0.9 else rng.choice(UNICODE[:9]))
    gaps = [rng.choice([' ', '  ', '\t', ' \t ', '   ']) for _ in words[1:]]
    inner = words[0] + ''.join(g + w for g, w in zip(gaps, words[1:]))
    return pad() + inner + pad()


def random_headers(rng, s3, presign, token):
    host = rng.choice(HOSTS)
    headers = [[random_case_name(rng, 'Host'), rng.choice(['', ' ']) + host]]
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(HEADER_NAMES)
        headers.append([random_case_name(rng, name), header_value(rng)])
        if rng.random() < 0.15:  # the same header again, maybe in another case
            headers.append([random_case_name(rng, name), header_value(rng)])
    if rng.random() < 0.3:
        never_signed = NEVER_SIGNED[:-1] if presign else NEVER_SIGNED
        headers.append([random_case_name(rng, rng.choice(never_signed)), header_value(rng)])
    if rng.random() < 0.2:
        headers.append(['X-Amz-Date', '19990101T000000Z'])  # replaced when signing headers
    if token and rng.random() < 0.2:
        headers.append(['X-Amz-Security-Token', 'stale-token'])
    if s3 and not presign and rng.random() < 0.2:
        headers.append(['X-Amz-Content-SHA256', 'stale-hash'])  # S3SigV4Auth replaces it
    if presign:
        headers = [h for h in headers if not (
            h[0].lower() == 'content-type'
            and h[1] == 'application/x-www-form-urlencoded; charset=utf-8')]
    rng.shuffle(headers)
    return headers


def random_time(rng):
    start = datetime.datetime(2000, 1, 1)
    seconds = rng.randint(0, 40 * 365 * 24 * 3600)
    return (start + datetime.timedelta(seconds=seconds)).strftime(SIGV4_TIMESTAMP)


def random_case(rng, index):
    s3 = rng.random() < 0.4
    presign = rng.randint(1, 604800) if rng.random() < 0.25 else 0
    token = None
    if rng.random() < 0.3:
        token = word(rng, BASE64, 40, 300) + rng.choice(['', '=', '=='])
    method = rng.choice(METHODS)
    has_body = not presign and method.upper() in ('PUT', 'POST', 'PATCH') and rng.random() < 0.8
    normalize = s3 is False and rng.random() < 0.85
    unsigned = (s3 and not presign and rng.random() < 0.25) or (
        not s3 and not presign and rng.random() < 0.1)
    return {
        'id': index,
        'method': method,
        'path': random_path(rng),
        'query': random_query(rng, unique_keys=bool(presign)),
        'headers': random_headers(rng, s3, presign, token),
        'body': bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))) if has_body else b'',
        'service': 's3' if s3 else rng.choice(SERVICES + [word(rng, string.ascii_lowercase)]),
        'region': rng.choice(REGIONS),
        'time': random_time(rng),
        'access_key': 'AKIA' + word(rng, string.ascii_uppercase + string.digits, 16, 16),
        'secret_key': word(rng, BASE64, 40, 40),
        'token': token,
        's3': s3,
        'presign': presign,
        'normalize_path': normalize,
        # Standard services sign the payload hash header only in botocore's unsigned mode.
        'sign_payload_hash': s3 or unsigned,
        'unsigned_payload': unsigned or (s3 and bool(presign)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=2000)
    parser.add_argument('--seed', type=int, default=20150830)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with open(args.out, 'w', encoding='utf-8') as out:
        for i in range(args.count):
            case = random_case(rng, i)
            expected = sign_case(case)
            line = dict(case, body=case['body'].hex(), expected=expected)
            out.write(json.dumps(line, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
