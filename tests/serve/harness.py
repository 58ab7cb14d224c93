"""What the serve tests share: starting `aslc serve` (or a built binary's
`serve`) on a free port, and a boto3 client for it."""
import atexit, json, os, re, signal, subprocess, sys, time

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



def serve_from(argv, *flags):
    """A script's arguments `COMMAND DATA_DIR`, COMMAND being the server's
    command up to its flags as JSON (`["aslc", "serve", "a.json"]`, or a
    built binary's `["./bundle", "serve"]`): the whole command (with
    `--data` and `flags`), the server, and a client."""
    command = json.loads(argv[1]) + ["--data", argv[2], *flags]
    server = Server(command)
    return command, server, server.client()


def machine(name):
    """A served machine's ARN: definitions are named by their file stem."""
    return f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}"
