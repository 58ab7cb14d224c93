"""What the serve tests share: starting `aslc serve` (or a built binary's
`serve`) on a free port, and a boto3 client for it."""
import atexit, os, re, signal, subprocess, sys, time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


class Server:
    def __init__(self, command, env=None):
        """`command`: the program and its arguments up to `serve`'s own."""
        self.proc = subprocess.Popen(
            command + ["--port", "0"],
            stdout=subprocess.PIPE,
            stderr=sys.stderr,
            text=True,
            env={**os.environ, **(env or {})},
        )
        line = self.proc.stdout.readline()
        m = re.search(r"listening on (http://\S+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"the server did not start: {line!r}")
        self.url = m.group(1)
        # A failed test must not leave its server running.
        atexit.register(lambda: self.proc.poll() is None and self.proc.kill())

    def client(self):
        return client(self.url)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def terminate(self):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def client(url):
    # botocore sends StartSyncExecution and TestState to a `sync-` host:
    # a local endpoint needs host prefixes off.
    return boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def finished(sfn, execution_arn, seconds=30):
    """DescribeExecution once the execution has ended (or after `seconds`)."""
    deadline = time.time() + seconds
    while True:
        d = sfn.describe_execution(executionArn=execution_arn)
        if d["status"] != "RUNNING" or time.time() > deadline:
            return d
        time.sleep(0.05)


def serve_one(argv):
    """`ASLC DEFINITION DATA_DIR` (a script's arguments): the command that
    serves that definition durably, the server, a client, and the machine's
    ARN (named by the file's stem)."""
    aslc, definition, data = argv[1], argv[2], argv[3]
    command = [aslc, "serve", definition, "--data", data]
    server = Server(command)
    name = os.path.splitext(os.path.basename(definition))[0]
    return command, server, server.client(), f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
