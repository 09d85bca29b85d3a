#!/usr/bin/env python3
"""Signed request to an Indico export API: the signing client of the Indico 1.2 documentation, in Python 3.

Usage: indico_request.py BASE_URL PATH API_KEY SECRET [name=value ...]
Prints the signed URL, then the response body.
"""
import hashlib
import hmac
import sys
import time
import urllib.parse
import urllib.request


def build_indico_request(path, params, api_key=None, secret_key=None, only_public=False, persistent=False):
    pairs = list(params.items()) if hasattr(params, 'items') else list(params)
    if api_key:
        pairs.append(('apikey', api_key))
    if only_public:
        pairs.append(('onlypublic', 'yes'))
    if secret_key:
        if not persistent:
            pairs.append(('timestamp', str(int(time.time()))))
        pairs.sort(key=lambda pair: pair[0].lower())
        to_sign = '%s?%s' % (path, urllib.parse.urlencode(pairs))
        digest = hmac.new(secret_key.encode('utf-8'), to_sign.encode('utf-8'), hashlib.sha1)
        pairs.append(('signature', digest.hexdigest()))
    if not pairs:
        return path
    return '%s?%s' % (path, urllib.parse.urlencode(pairs))


if __name__ == '__main__':
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    base, path, api_key, secret = sys.argv[1:5]
    params = dict(arg.split('=', 1) for arg in sys.argv[5:])
    url = base.rstrip('/') + build_indico_request(path, params, api_key, secret)
    print(url)
    with urllib.request.urlopen(url) as response:
        print(response.read().decode('utf-8'))
