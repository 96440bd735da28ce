"""``python -m sampleweb serve [--port N]``: run the sample web in the foreground."""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sampleweb", description="lawgov sample web (loopback only)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="serve every sample portal on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    serve.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                       help="fault mode: this share of URLs misbehave (5xx, timeouts, resets, challenges, "
                            "junk …) on their first attempts; plus permanent crawler traps (see sampleweb/faults.py)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the fault choice (with --faults)")
    sub.add_parser("urls", help="print the registry start URLs and every truth detail URL")
    sub.add_parser("registry", help="print the sample registry (portals.yaml) generated from the model")
    args = ap.parse_args(argv)

    if args.cmd == "registry":
        from sampleweb.model import registry_yaml
        sys.stdout.write(registry_yaml())
        return 0

    if args.cmd == "urls":
        from sampleweb import truth
        for u in truth.start_urls():
            print("start", u)
        for d in truth.detail_pages():
            print("report " if d["is_report"] else "page   ", d["url"])
        return 0

    from sampleweb.server import SampleWeb
    faults = None
    if args.faults:
        from sampleweb.faults import FaultPlan
        faults = FaultPlan(rate=args.faults, seed=args.seed)
    web = SampleWeb(faults=faults)
    port = web.start(args.port)
    print(f"sampleweb serving {len(web.sites)} portals on 127.0.0.1:{port}", flush=True)
    for host in web.sites:
        print(f"  http://{host}/", flush=True)
    print(f"crawl it with:  lawgov crawl --portals sampleweb/portals.yaml --db data/archive.db --proxy http://127.0.0.1:{port}",
          flush=True)
    print(f"or fetch a page: curl -x http://127.0.0.1:{port} http://www.cnjialing.gov.cn.test/index.shtml",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
