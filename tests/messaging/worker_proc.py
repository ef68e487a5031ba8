"""A dispatch worker in its own process, for the concurrency tests.

    python -m tests.messaging.worker_proc '<settings json>' <go-file> [kill_after]

Builds the app with the given settings, waits until ``go-file`` exists (so two workers start
together), then runs ``dispatch_due`` until nothing is due and prints {"sent": n}. With
``kill_after`` the process SIGKILLs itself right after that many sends were accepted by
Twilio, before the results are recorded (a worker dying mid-batch).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path


def main() -> None:
    settings = json.loads(sys.argv[1])
    go = Path(sys.argv[2])
    kill_after = int(sys.argv[3]) if len(sys.argv) > 3 else 0

    from nattvandring.app import create_app
    from nattvandring.messaging.dispatch import dispatch_due, due_count
    from nattvandring.messaging.services import gateway_from_config

    app = create_app(settings)
    gateway = gateway_from_config(app.config)
    if kill_after:
        original = gateway.send
        accepted = 0

        def send(**kwargs):
            nonlocal accepted
            result = original(**kwargs)
            accepted += 1
            if accepted >= kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        gateway.send = send
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    sent, idle = 0, 0
    while idle < 3:
        done = dispatch_due(app, gateway)
        sent += done
        if done == 0 and due_count(app) == 0:
            idle += 1
            time.sleep(0.05)
        else:
            idle = 0
    print(json.dumps({"sent": sent}), flush=True)


if __name__ == "__main__":
    main()
