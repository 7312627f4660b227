"""How long it takes to decide who the caller is: an API key (a hash look-up in the
catalogue) against an OpenID Connect token (signature and claims checked in Python, the
provider's keys cached), and a flood of tokens with forged key ids (refused from the cache).

    .venv/bin/python bench/identity_bench.py [--rounds 2000]

Runs a real local provider (oidc-provider-mock, the test extra) and a SQLite catalogue in a
temporary directory; prints the median per call and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from belfort.api.caller import _resolve, provider  # noqa: E402
from belfort.platform import Platform  # noqa: E402
from belfort.policy.keys import create_key  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, forged, mock_provider  # noqa: E402


def timed(call: object, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    rounds = parser.parse_args().rounds
    with mock_provider() as idp, tempfile.TemporaryDirectory() as root:
        idp.set_user("alice", roles=["belfort-admin"])
        platform = Platform(Settings(data_dir=Path(root) / "data", oidc_issuer=idp.issuer,
                                     oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET))
        try:
            with platform.db.session() as session:
                key = create_key(session, "bench").secret
            token = idp.id_token("alice")
            assert _resolve(platform, key).refusal is None
            assert _resolve(platform, token).refusal is None
            fetches = provider(platform).fetches
            key_s = timed(lambda: _resolve(platform, key), rounds)
            token_s = timed(lambda: _resolve(platform, token), rounds)
            forged_tokens = iter([forged(idp.issuer, headers={"kid": f"k{n}"})
                                  for n in range(rounds)])
            forged_s = timed(lambda: _resolve(platform, next(forged_tokens)), rounds)
            refetched = provider(platform).fetches - fetches
        finally:
            platform.close()
    print(f"API key (catalogue look-up)      median {key_s * 1e6:8.1f} µs")
    print(f"OIDC token (cached keys)         median {token_s * 1e6:8.1f} µs  "
          f"({token_s / key_s:.2f}× the key)")
    print(f"forged key id (refused)          median {forged_s * 1e6:8.1f} µs  "
          f"provider's keys refetched {refetched}× for {rounds} forged tokens")


if __name__ == "__main__":
    main()
