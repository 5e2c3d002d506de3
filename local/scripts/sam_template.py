#!/usr/bin/env python3
"""Reads what `bin/flywheel invoke` needs from template.yaml and a SAM --env-vars file.

Prints shell assignments (already quoted) for `eval`:
  FW_HANDLER, FW_LOGICAL_ID, FW_FUNCTION_NAME, FW_TIMEOUT, FW_MEMORY
and `export NAME=value` lines for the function's literal environment variables, then for the
env-vars file's "Parameters" section, then for its section named after the function's logical id
(later ones win), as `sam local invoke --env-vars` does.

--handlers TEMPLATE prints NAME=HandlerClass per function; --parameters TEMPLATE prints the template's
Parameters as JSON (each one's AllowedValues and AllowedPattern, as given), for `local-run --param`.
"""
import json
import shlex
import sys

import yaml


class _Loader(yaml.SafeLoader):
    """Keeps CloudFormation's short-form tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {"Fn::" + suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {"Fn::" + suffix: loader.construct_sequence(node)}
    return {"Fn::" + suffix: loader.construct_mapping(node)}


_Loader.add_multi_constructor("!", _tag)


def handlers(template_path):
    """Prints NAME=HandlerClass for every function (NAME = its folder under functions/)."""
    with open(template_path, encoding="utf-8") as f:
        template = yaml.load(f, Loader=_Loader)
    for res in (template.get("Resources") or {}).values():
        props = res.get("Properties") or {}
        if res.get("Type") == "AWS::Serverless::Function":
            print(f"{props['CodeUri'].rsplit('/', 1)[-1]}={props['Handler'].split('::')[0]}")


def parameters(template_path):
    """Prints {Name: {"allowedValues": [...], "allowedPattern": "..."}} (each only when the template has it)."""
    with open(template_path, encoding="utf-8") as f:
        template = yaml.load(f, Loader=_Loader)
    out = {}
    for name, decl in (template.get("Parameters") or {}).items():
        out[name] = {}
        if "AllowedValues" in decl:
            out[name]["allowedValues"] = [str(v).lower() if isinstance(v, bool) else str(v)
                                          for v in decl["AllowedValues"]]
        if "AllowedPattern" in decl:
            out[name]["allowedPattern"] = str(decl["AllowedPattern"])
    print(json.dumps(out))


def main(template_path, code_uri, env_vars_path):
    with open(template_path, encoding="utf-8") as f:
        template = yaml.load(f, Loader=_Loader)
    glob = (template.get("Globals") or {}).get("Function") or {}
    for logical_id, res in (template.get("Resources") or {}).items():
        props = res.get("Properties") or {}
        if res.get("Type") == "AWS::Serverless::Function" and props.get("CodeUri") == code_uri:
            break
    else:
        sys.exit(f"template.yaml has no AWS::Serverless::Function with CodeUri {code_uri}")

    def prop(name, default):
        return props.get(name, glob.get(name, default))

    handler = props["Handler"].split("::")[0]
    out = {
        "FW_HANDLER": handler,
        "FW_LOGICAL_ID": logical_id,
        "FW_FUNCTION_NAME": code_uri.rsplit("/", 1)[-1],
        "FW_TIMEOUT": prop("Timeout", 3),
        "FW_MEMORY": prop("MemorySize", 128),
    }
    for k, v in out.items():
        print(f"{k}={shlex.quote(str(v))}")
    env = {}
    for source in (glob, props):
        for k, v in ((source.get("Environment") or {}).get("Variables") or {}).items():
            if isinstance(v, (str, int, float, bool)):  # intrinsic functions have no local value
                env[k] = str(v)
    if env_vars_path:
        with open(env_vars_path, encoding="utf-8") as f:
            overrides = json.load(f)
        if not isinstance(overrides, dict):
            sys.exit(f"{env_vars_path}: expected SAM's --env-vars format, a JSON object of sections")
        for section in ("Parameters", logical_id):
            for k, v in (overrides.get(section) or {}).items():
                env[k] = str(v)
    for k, v in env.items():
        if not k.replace("_", "").isalnum():
            sys.exit(f"environment variable name {k!r} is not valid")
        print(f"export {k}={shlex.quote(v)}")


if __name__ == "__main__":
    if sys.argv[1] == "--handlers":
        handlers(sys.argv[2])
    elif sys.argv[1] == "--parameters":
        parameters(sys.argv[2])
    else:
        main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")
