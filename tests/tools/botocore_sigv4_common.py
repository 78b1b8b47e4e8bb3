"""Signs one logical request with botocore's own SigV4 signers and returns every step.

Run under Debian's /usr/bin/python3 (python3-botocore). The golden-file generator and the
differential test's generator both call sign_case(), so our signer is always compared with
botocore, never with itself.

A case is a dict:
  method, path (as on the wire), query ([[key, value]] decoded), headers ([[name, value]]),
  body (bytes), service, region, time ("20150830T123600Z"), access_key, secret_key,
  token (str or None), s3 (bool), presign (seconds, 0 for header signing),
  normalize_path (bool), sign_payload_hash (bool), unsigned_payload (bool).
"""

import datetime
import hashlib
import types
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import botocore.auth
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGV4_TIMESTAMP = '%Y%m%dT%H%M%SZ'
AUTH_QUERY_NAMES = (
    'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
    'X-Amz-SignedHeaders', 'X-Amz-Security-Token', 'X-Amz-Signature',
)
ADDED_HEADER_NAMES = ('X-Amz-Date', 'X-Amz-Security-Token', 'X-Amz-Content-SHA256')


# botocore has no switch for "standard service, path used verbatim"; its S3 signers are that
# rule, so these borrow S3's _normalize_url_path and change nothing else.
class VerbatimPathSigV4Auth(SigV4Auth):
    _normalize_url_path = S3SigV4Auth._normalize_url_path


class VerbatimPathSigV4QueryAuth(SigV4QueryAuth):
    _normalize_url_path = S3SigV4QueryAuth._normalize_url_path


def _signer_class(case):
    presign = case['presign'] > 0
    if case['s3']:
        return S3SigV4QueryAuth if presign else S3SigV4Auth
    if case['normalize_path']:
        return SigV4QueryAuth if presign else SigV4Auth
    return VerbatimPathSigV4QueryAuth if presign else VerbatimPathSigV4Auth


def _frozen_datetime(timestamp):
    frozen = datetime.datetime.strptime(timestamp, SIGV4_TIMESTAMP)

    class FrozenDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return frozen

    return types.SimpleNamespace(datetime=FrozenDatetime)


def _has_header(headers, name):
    return any(n.lower() == name.lower() for n, _ in headers)


def _build_request(case):
    host = next(v for n, v in case['headers'] if n.lower() == 'host').strip()
    url = 'https://' + host + case['path']
    presign = case['presign'] > 0
    # Header signing takes the decoded pairs as params (botocore encodes and sorts them);
    # SigV4QueryAuth folds params into a dict, so presigned cases have unique keys.
    request = AWSRequest(method=case['method'], url=url, data=case['body'] or None,
                         params=[tuple(p) for p in case['query']])
    for name, value in case['headers']:
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    unsigned = case['unsigned_payload']
    if case['s3'] and not presign and unsigned:
        request.context['client_config'] = types.SimpleNamespace(
            s3={'payload_signing_enabled': False})
    elif not case['s3'] and not presign and case['sign_payload_hash']:
        if unsigned:
            # botocore's own path: SigV4Auth adds X-Amz-Content-SHA256: UNSIGNED-PAYLOAD.
            request.context['payload_signing_enabled'] = False
        elif not _has_header(case['headers'], 'X-Amz-Content-SHA256'):
            # SigV4Auth signs a caller's X-Amz-Content-SHA256 header and uses its value as
            # the payload hash: the standard-service form of --sign-payload-hash.
            request.headers['X-Amz-Content-SHA256'] = hashlib.sha256(case['body']).hexdigest()
    return request


def sign_case(case):
    """Returns botocore's canonical request, string to sign, signing key, signature, and the
    Authorization header and added headers (header signing) or URL and X-Amz-* query
    parameters (query signing)."""
    creds = Credentials(case['access_key'], case['secret_key'], case['token'])
    cls = _signer_class(case)
    if case['presign'] > 0:
        signer = cls(creds, case['service'], case['region'], expires=case['presign'])
    else:
        signer = cls(creds, case['service'], case['region'])
    request = _build_request(case)

    captured = {}

    def capture(name, fn):
        def wrapper(*args, **kwargs):
            value = fn(*args, **kwargs)
            captured[name] = value
            return value
        return wrapper

    signer.canonical_request = capture('canonical_request', signer.canonical_request)
    signer.string_to_sign = capture('string_to_sign', signer.string_to_sign)
    signer.signature = capture('signature', signer.signature)
    original_sign = signer._sign

    def sign_step(key, msg, hex=False):
        if hex:  # the last HMAC of the chain is keyed with the signing key
            captured['signing_key'] = key.hex()
        return original_sign(key, msg, hex=hex)

    signer._sign = sign_step
    with mock.patch.object(botocore.auth, 'datetime', _frozen_datetime(case['time'])):
        signer.add_auth(request)

    result = {
        'canonical_request': captured['canonical_request'],
        'string_to_sign': captured['string_to_sign'],
        'signing_key_hex': captured['signing_key'],
        'signature': captured['signature'],
    }
    if case['presign'] > 0:
        result['url'] = request.url
        result['auth_query'] = [
            [k, v] for k, v in parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
            if k in AUTH_QUERY_NAMES
        ]
    else:
        result['authorization'] = request.headers['Authorization']
        result['added_headers'] = [
            [name, request.headers[name]] for name in ADDED_HEADER_NAMES if name in request.headers
        ]
    return result
