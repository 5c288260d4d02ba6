"""`python -m assistant eval` (built by the evaluation issue)."""


def add_eval_parser(commands, common) -> None:
    sub = commands.add_parser("eval", parents=[common], help="score answers against a test set")
    sub.add_argument("testset")


def run_eval(args) -> int:
    raise SystemExit("eval is not built yet")
