#!/usr/bin/env python3
"""Every IAM principal template.yaml deploys and its effective policy statements, as JSON.

For the local IAM enforcement of the suite's tests and of `bin/flywheel local-run`: every AWS call a
function or a state machine makes on this machine is authorized (by a Java evaluator) against the
statements printed here. The template goes through the SAM transform as `sam deploy` would
(offline: local CodeUri/DefinitionUri become a placeholder S3 location, as in cfn-lint), then every
intrinsic function of the output is resolved for the parameters, region, account and the stack
name "omc-flywheel-local" (a role without RoleName is "<stack>-<LogicalId>", no random suffix).
managedPolicies lists the ARNs the template does not define (AWS managed policies); statements
of the template's AWS::IAM::Policy / ManagedPolicy attached to a role join the role's statements.
Each role's reasons map a statement (its Sid, or "#<index>" without one) to the reason comment the
template writes for it (see reason_comments; bin/flywheel iam-report reads them).
Each function lists its environment variables as deployed (those with a local value).
Exit 2: bad or missing parameter. Exit 1: the transform failed or something could not be resolved.

Usage: iam_policies.py TEMPLATE [--param Name=Value ...] [--region us-east-1] [--account 123456789012]
"""
import argparse
import copy
import json
import os
import re
import sys

import yaml

STACK = "omc-flywheel-local"
NOVALUE = object()
NAME_PROP = {"AWS::Scheduler::Schedule": "Name", "AWS::SNS::Topic": "TopicName", "AWS::SQS::Queue": "QueueName", "AWS::DynamoDB::Table": "TableName",
             "AWS::Lambda::Function": "FunctionName", "AWS::IAM::Role": "RoleName", "AWS::Lambda::Alias": "Name",
             "AWS::Logs::LogGroup": "LogGroupName", "AWS::StepFunctions::StateMachine": "StateMachineName",
             "AWS::IAM::ManagedPolicy": "ManagedPolicyName"}
ARN = {"AWS::Scheduler::Schedule": "arn:aws:scheduler:{r}:{a}:schedule/{group}/{n}",
       "AWS::SNS::Topic": "arn:aws:sns:{r}:{a}:{n}", "AWS::SQS::Queue": "arn:aws:sqs:{r}:{a}:{n}",
       "AWS::DynamoDB::Table": "arn:aws:dynamodb:{r}:{a}:table/{n}",
       "AWS::Lambda::Function": "arn:aws:lambda:{r}:{a}:function:{n}",
       "AWS::Lambda::Alias": "arn:aws:lambda:{r}:{a}:function:{fn}:{n}",
       "AWS::Lambda::Version": "arn:aws:lambda:{r}:{a}:function:{fn}:1",
       "AWS::IAM::Role": "arn:aws:iam::{a}:role{path}{n}", "AWS::IAM::ManagedPolicy": "arn:aws:iam::{a}:policy{path}{n}",
       "AWS::Logs::LogGroup": "arn:aws:logs:{r}:{a}:log-group:{n}:*", "AWS::KMS::Key": "arn:aws:kms:{r}:{a}:key/{lid}",
       "AWS::StepFunctions::StateMachine": "arn:aws:states:{r}:{a}:stateMachine:{n}"}
REF_IS_ARN = {"AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::IAM::ManagedPolicy", "AWS::KMS::Key",
              "AWS::Lambda::Alias", "AWS::Lambda::Version"}
GETATT = {("AWS::Scheduler::Schedule", "Arn"): "arn", ("AWS::IAM::Role", "Arn"): "arn", ("AWS::DynamoDB::Table", "Arn"): "arn", ("AWS::KMS::Key", "Arn"): "arn",
          ("AWS::Lambda::Function", "Arn"): "arn", ("AWS::Logs::LogGroup", "Arn"): "arn",
          ("AWS::SNS::Topic", "TopicArn"): "arn", ("AWS::SNS::Topic", "TopicName"): "name",
          ("AWS::StepFunctions::StateMachine", "Arn"): "arn", ("AWS::StepFunctions::StateMachine", "Name"): "name",
          ("AWS::SQS::Queue", "Arn"): "arn", ("AWS::SQS::Queue", "QueueName"): "name", ("AWS::SQS::Queue", "QueueUrl"): "ref"}


class Unresolvable(Exception):
    pass


class _Loader(yaml.SafeLoader):
    """CloudFormation's short-form tags (!Ref, !Sub, !GetAtt A.B, ...) as their long forms."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix in ("Ref", "Condition"):
        return {suffix: value}
    return {"Fn::" + suffix: value.split(".", 1) if suffix == "GetAtt" and isinstance(value, str) else value}


_Loader.add_multi_constructor("!", _tag)


def fail(message, code=2):
    print(f"iam_policies.py: {message}", file=sys.stderr)
    sys.exit(code)


def as_list(value):
    return value if isinstance(value, list) else [value]


def parameter_values(template, given):
    declared = template.get("Parameters") or {}
    for name in given.keys() - declared.keys():
        fail(f"--param {name}: the template has no parameter {name}")
    values = {}
    for name, decl in declared.items():
        if name not in given and "Default" not in decl:
            fail(f"parameter {name} has no default: give it with --param {name}=VALUE")
        raw = str(given.get(name, decl.get("Default")))
        allowed = [str(v) for v in decl.get("AllowedValues", [])]
        if allowed and raw not in allowed or not re.fullmatch(decl.get("AllowedPattern", ".*"), raw):
            fail(f"parameter {name}={raw!r} is not allowed ({allowed or decl['AllowedPattern']})")
        typ = str(decl.get("Type", "String"))
        values[name] = [v.strip() for v in raw.split(",")] if typ.startswith(("CommaDelimitedList", "List<")) else raw
    return values


def sam_transform(template, params, region):
    """The SAM transform, offline: the CloudFormation template `sam deploy` would create."""
    from samtranslator.translator.transform import transform

    names, glob = set(), (template.get("Globals") or {}).get("Function") or {}
    if "CodeUri" in glob and not str(glob["CodeUri"]).startswith("s3://"):
        glob["CodeUri"] = "s3://bucket/value"
    for res in (template.get("Resources") or {}).values():
        props = res.get("Properties") or {}
        uri = {"AWS::Serverless::Function": "CodeUri", "AWS::Serverless::StateMachine": "DefinitionUri"}.get(res["Type"])
        if uri in props and not str(props[uri]).startswith("s3://"):
            props[uri] = "s3://bucket/value"
        names.update(p for p in as_list(props.get("Policies", [])) if isinstance(p, str) and not p.startswith("arn:"))

    class ManagedPolicyLoader:  # samtranslator's would ask IAM for the AWS managed policies' ARNs
        def load(self):
            return {n: f"arn:aws:iam::aws:policy/{n}" for n in names}

    os.environ["AWS_DEFAULT_REGION"] = region
    return transform(template, params, ManagedPolicyLoader())


class Resolver:
    def __init__(self, template, params, region, account):
        self.resources, self.conditions = template.get("Resources") or {}, template.get("Conditions") or {}
        self.mappings, self.params, self.region, self.account = template.get("Mappings") or {}, params, region, account
        self.pseudo = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws",
                       "AWS::StackName": STACK, "AWS::URLSuffix": "amazonaws.com",
                       "AWS::StackId": f"arn:aws:cloudformation:{region}:{account}:stack/{STACK}/local"}
        self._cond = {}

    def condition(self, name, where):
        if name not in self.conditions:
            raise Unresolvable(f"{where}: no condition {name}")
        if name not in self._cond:
            self._cond[name] = self.resolve(self.conditions[name], f"Conditions.{name}")
        return self._cond[name]

    def deployed(self, lid):
        cond = self.resources[lid].get("Condition")
        return cond is None or self.condition(cond, f"Resources.{lid}.Condition") is True

    def string(self, node, where):
        value = self.resolve(node, where)
        if not isinstance(value, (str, int, float)):
            raise Unresolvable(f"{where}: expected a string, got {value!r}")
        return str(value).lower() if isinstance(value, bool) else str(value)

    def prop(self, lid, name, default=None):
        value = (self.resources[lid].get("Properties") or {}).get(name)
        return default if value is None else self.string(value, f"Resources.{lid}.Properties.{name}")

    def name(self, lid):
        return self.prop(lid, NAME_PROP[self.resources[lid]["Type"]], f"{STACK}-{lid}")

    def arn(self, lid):
        typ = self.resources[lid]["Type"]
        return ARN[typ].format(r=self.region, a=self.account, lid=lid, path=self.prop(lid, "Path", "/"),
                               n=self.name(lid) if typ in NAME_PROP else "", fn=self.prop(lid, "FunctionName", ""),
                               group=self.prop(lid, "GroupName", "default"))

    def ref(self, target, where):
        if target in self.pseudo:
            return self.pseudo[target]
        if target == "AWS::NoValue":
            return NOVALUE
        if target in self.params:
            return self.params[target]
        if target not in self.resources:
            raise Unresolvable(f"{where}: Ref to unknown {target}")
        typ = self.resources[target]["Type"]
        if typ == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{self.name(target)}"
        return self.arn(target) if typ in REF_IS_ARN else self.name(target) if typ in NAME_PROP else target

    def getatt(self, lid, attr, where):
        if lid not in self.resources:
            raise Unresolvable(f"{where}: Fn::GetAtt of unknown resource {lid}")
        kind = GETATT.get((self.resources[lid]["Type"], attr))
        if kind is None:
            raise Unresolvable(f"{where}: Fn::GetAtt {lid}.{attr} ({self.resources[lid]['Type']}) has no local value")
        return {"arn": self.arn, "name": self.name, "ref": lambda x: self.ref(x, where)}[kind](lid)

    def sub(self, text, variables, where):
        def one(m):
            key = m.group(1)
            if key.startswith("!"):
                return "${" + key[1:] + "}"
            if key in variables:
                return self.string(variables[key], f"{where}.{key}")
            return self.string({"Fn::GetAtt": key.split(".", 1)} if "." in key else {"Ref": key}, where)
        return re.sub(r"\$\{([^}]*)\}", one, text)

    def resolve(self, node, where):
        if isinstance(node, list):
            return [v for v in (self.resolve(v, f"{where}[{i}]") for i, v in enumerate(node)) if v is not NOVALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            if key == "Ref":
                return self.ref(arg, where)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg, where)
            if key.startswith("Fn::"):
                return self.function(key, arg, f"{where}.{key}")
        out = {k: self.resolve(v, f"{where}.{k}") for k, v in node.items()}
        return {k: v for k, v in out.items() if v is not NOVALUE}

    def function(self, key, arg, where):
        s = lambda v: self.string(v, where)  # noqa: E731
        if key == "Fn::Sub":
            return self.sub(*((arg, {}) if isinstance(arg, str) else arg), where)
        if key == "Fn::GetAtt":
            lid, attr = arg.split(".", 1) if isinstance(arg, str) else arg
            return self.getatt(lid, s(attr), where)
        if key == "Fn::Join":
            return s(arg[0]).join(s(v) for v in as_list(self.resolve(arg[1], where)))
        if key == "Fn::Select":
            return as_list(self.resolve(arg[1], where))[int(s(arg[0]))]
        if key == "Fn::Split":
            return s(arg[1]).split(s(arg[0]))
        if key == "Fn::FindInMap":
            m, k1, k2 = (s(v) for v in arg[:3])
            if k2 not in self.mappings.get(m, {}).get(k1, {}):
                raise Unresolvable(f"{where}: no mapping {m}.{k1}.{k2}")
            return self.resolve(self.mappings[m][k1][k2], where)
        if key == "Fn::If":
            return self.resolve(arg[1] if self.condition(arg[0], where) else arg[2], where)
        if key == "Fn::Equals":
            return s(arg[0]) == s(arg[1])
        if key in ("Fn::Not", "Fn::And", "Fn::Or"):
            values = [self.resolve(v, where) for v in arg]
            if not all(isinstance(v, bool) for v in values):
                raise Unresolvable(f"{where}: expects conditions, got {values!r}")
            return not values[0] if key == "Fn::Not" else (all if key == "Fn::And" else any)(values)
        raise Unresolvable(f"{where}: {key} has no local value")


def statements(document, res, where):
    """A policy document's statements, resolved; Action, NotAction, Resource, NotResource as lists."""
    stmts = res.resolve((document or {}).get("Statement", []), where)
    return [{k: as_list(v) if k in ("Action", "NotAction", "Resource", "NotResource") else v for k, v in s.items()}
            for s in ([] if stmts is NOVALUE else as_list(stmts))]


REASON = re.compile(r"^\s*#\s*((?:used by AWS on our behalf|unused here because):.*)$")
COMMENT = re.compile(r"^\s*#\s?(.*)$")
SID = re.compile(r"^(\s*)- Sid:\s*[\"']?([A-Za-z0-9]+)[\"']?\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9]+):\s*(#.*)?$")
TOP = re.compile(r"^  ([A-Za-z0-9]+):\s*(#.*)?$")


def reason_comments(path):
    """{(resource, key): reason}: why a grant no local run exercises stays, written in template.yaml.

    A reason is a comment that begins `# used by AWS on our behalf: ...` or `# unused here because: ...`
    (the comment lines after it, up to the next line that is not a comment, continue it). It belongs to
    the statement whose `- Sid: KEY` line follows the comment block, else to the statement it is written
    inside (below its `- Sid:` line), else to the mapping key `KEY:` that follows the block (an event of a
    function or state machine: the role SAM creates for it). RESOURCE is the top-level resource it is in.
    PyYAML drops comments, hence this reading of the text. A reason anywhere else is an error."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out, lines_of, resource, statement, in_resources, i = {}, {}, None, None, False, 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^[A-Za-z]", line):
            in_resources, resource, statement = line.startswith("Resources:"), None, None
        elif in_resources and TOP.match(line):
            resource, statement = TOP.match(line).group(1), None
        indent = len(line) - len(line.lstrip())
        if statement and line.strip() and not line.lstrip().startswith("#") and indent <= statement[1]:
            statement = None
        if SID.match(line):
            statement = (SID.match(line).group(2), len(SID.match(line).group(1)))
        m = REASON.match(line)
        if not m or resource is None:
            i += 1
            continue
        text, j = [m.group(1).strip()], i + 1
        while j < len(lines) and COMMENT.match(lines[j]):
            text.append(COMMENT.match(lines[j]).group(1).strip())
            j += 1
        after = lines[j] if j < len(lines) else ""
        if SID.match(after):
            key = SID.match(after).group(2)
        elif statement and indent > statement[1]:
            key = statement[0]
        elif KEY.match(after):
            key = KEY.match(after).group(1)
        else:
            fail(f"{path}:{i + 1}: a reason comment must be right above a statement's `- Sid:` line, inside the "
                 f"statement, or right above an event's key; it is above: {after.strip()!r}", 1)
        out[(resource, key)] = " ".join(t for t in text if t)
        lines_of[(resource, key)] = i + 1
        i = j
    return out, lines_of


def check_reasons(path, reasons, lines_of, original):
    """Every reason comment belongs to a statement Sid or an event of the resource it is written in."""
    def sids(node):
        if isinstance(node, dict):
            return ({node["Sid"]} if isinstance(node.get("Sid"), str) else set()) | {
                x for v in node.values() for x in sids(v)}
        return {x for v in node for x in sids(v)} if isinstance(node, list) else set()
    for (resource, key) in reasons:
        r = (original.get("Resources") or {}).get(resource) or {}
        if key not in sids(r) and key not in ((r.get("Properties") or {}).get("Events") or {}):
            fail(f"{path}:{lines_of[(resource, key)]}: a reason comment for {key} in {resource}, which has no "
                 f"statement with Sid {key} and no event {key}: put it on the statement or event it explains", 1)


def role_reasons(lid, role, sources, reasons, original):
    """A role's reason comments, by statement (its Sid, or "#<index>")."""
    out = {}
    events = {}  # SAM's role for an event of a function or state machine: <Resource><Event>Role
    for res_lid, r in (original.get("Resources") or {}).items():
        for event in ((r.get("Properties") or {}).get("Events") or {}):
            events[f"{res_lid}{event}Role"] = (res_lid, event)
    whole_role = reasons.get(events[lid]) if lid in events else None
    for i, s in enumerate(role["statements"]):
        key = s.get("Sid") or f"#{i}"
        found = [reasons[(src, s["Sid"])] for src in sources if s.get("Sid") and (src, s["Sid"]) in reasons]
        if found or whole_role:
            out[key] = found[0] if found else whole_role
    return out


def build(res, original, transformed, reasons=None):
    reasons = reasons or {}
    rs = res.resources
    roles, functions, machines, attached, policy_sources = {}, {}, {}, {}, {}
    for lid, r in rs.items():  # the template's AWS::IAM::Policy / ManagedPolicy, by role name or policy ARN
        if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and res.deployed(lid):
            w = f"Resources.{lid}.Properties"
            doc = statements(r["Properties"].get("PolicyDocument"), res, f"{w}.PolicyDocument.Statement")
            keys = res.resolve(r["Properties"].get("Roles", []), f"{w}.Roles")
            for key in keys + ([res.arn(lid)] if r["Type"] == "AWS::IAM::ManagedPolicy" else []):
                attached.setdefault(key, []).extend(doc)
                policy_sources.setdefault(key, []).append(lid)
    for lid, r in rs.items():
        if r["Type"] != "AWS::IAM::Role" or not res.deployed(lid):
            continue
        w, props = f"Resources.{lid}.Properties", r.get("Properties") or {}
        trust = statements(props.get("AssumeRolePolicyDocument"), res, f"{w}.AssumeRolePolicyDocument.Statement")
        stmts = []
        for i, policy in enumerate(res.resolve(props.get("Policies", []), f"{w}.Policies")):
            stmts += statements(policy.get("PolicyDocument"), res, f"{w}.Policies[{i}].PolicyDocument.Statement")
        arns = res.resolve(props.get("ManagedPolicyArns", []), f"{w}.ManagedPolicyArns")
        stmts += [s for key in [res.name(lid)] + arns for s in attached.get(key, [])]
        roles[lid] = {"arn": res.arn(lid),
                      "assumedBy": [p for s in trust for kind in ("Service", "AWS", "Federated")
                                    for p in as_list((s.get("Principal") or {}).get(kind, []))],
                      "statements": stmts, "managedPolicies": [a for a in arns if a not in attached]}
        sources = [lid] + ([lid[:-len("Role")]] if lid.endswith("Role") else []) + [
            p for key in [res.name(lid)] + arns for p in policy_sources.get(key, [])]
        roles[lid]["reasons"] = role_reasons(lid, roles[lid], sources, reasons, original)

    def role_of(node, where):  # the logical id of a role of the template, else the ARN
        target = node.get("Fn::GetAtt", [None]) if isinstance(node, dict) and len(node) == 1 else [None]
        target = target.split(".", 1) if isinstance(target, str) else target
        return target[0] if target[0] in roles else res.string(node, where)

    for lid, r in rs.items():
        w, props = f"Resources.{lid}.Properties", r.get("Properties") or {}
        if r["Type"] == "AWS::Lambda::Function" and res.deployed(lid):
            functions[res.name(lid)] = {
                "logicalId": lid, "role": role_of(props.get("Role"), f"{w}.Role"),
                "timeout": int(res.prop(lid, "Timeout", 3)), "memorySize": int(res.prop(lid, "MemorySize", 128)),
                "codeUri": ((original["Resources"].get(lid) or {}).get("Properties") or {}).get(
                    "CodeUri", ((original.get("Globals") or {}).get("Function") or {}).get("CodeUri")),
                "handler": res.prop(lid, "Handler"), "environment": environment(res, lid, props)}
        if r["Type"] == "AWS::StepFunctions::StateMachine" and res.deployed(lid):
            machines[res.name(lid)] = {"logicalId": lid, "role": role_of(props.get("RoleArn"), f"{w}.RoleArn"),
                                       "arn": res.arn(lid)}
    rules = {}  # the EventBridge rules, as the stack deploys them (name, state, pattern)
    for lid, r in rs.items():
        if r["Type"] == "AWS::Events::Rule" and res.deployed(lid):
            props = r.get("Properties") or {}
            rules[lid] = {"name": res.prop(lid, "Name", f"{STACK}-{lid}"), "state": res.prop(lid, "State", "ENABLED"),
                          "eventPattern": res.resolve(props.get("EventPattern"), f"Resources.{lid}.Properties.EventPattern")}
    outputs = {}  # the stack's outputs as DescribeStacks would list them (an output without a local value is left out)
    for key, out in (transformed.get("Outputs") or {}).items():
        if "Condition" in out and res.condition(out["Condition"], f"Outputs.{key}.Condition") is not True:
            continue
        try:
            outputs[key] = res.string(out["Value"], f"Outputs.{key}.Value")
        except Unresolvable:
            pass
    return {"account": res.account, "region": res.region, "stackName": STACK, "parameters": res.params,
            "outputs": outputs, "rules": rules, "roles": roles, "functions": functions, "stateMachines": machines}


def environment(res, lid, props):
    """A function's environment variables as deployed (each resolved on its own: one without a local
    value, such as a GetAtt of an unmodelled resource, is left out; !Ref AWS::NoValue leaves it unset)."""
    out = {}
    for k, v in ((props.get("Environment") or {}).get("Variables") or {}).items():
        try:
            value = res.resolve(v, f"Resources.{lid}.Properties.Environment.Variables.{k}")
        except Unresolvable:
            continue
        if value is not NOVALUE and isinstance(value, (str, int, float)):
            out[k] = str(value).lower() if isinstance(value, bool) else str(value)
    return out


def leftovers(node, where="$"):
    """Where an intrinsic function is still in the output (there must be none)."""
    if isinstance(node, dict):
        bad = [f"{where}: {k}" for k in node if k.startswith("Fn::") or k == "Ref"]
        return bad + [x for k, v in node.items() for x in leftovers(v, f"{where}.{k}")]
    return [x for i, v in enumerate(node) for x in leftovers(v, f"{where}[{i}]")] if isinstance(node, list) else []


def transformed_from_args(description):
    """The command line shared with transformed_template.py: (args, template as read, parameter values,
    the transformed template). Exits 2 on a bad parameter, 1 when the transform fails."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("template")
    ap.add_argument("--param", action="append", default=[], metavar="Name=Value")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--account", default="123456789012")
    args = ap.parse_args()
    bad = [p for p in args.param if "=" not in p]
    if bad:
        fail(f"--param {bad[0]}: expected Name=Value")
    with open(args.template, encoding="utf-8") as f:
        template = yaml.load(f, Loader=_Loader)
    params = parameter_values(template, dict(p.split("=", 1) for p in args.param))
    original = copy.deepcopy(template)
    try:
        transformed = sam_transform(template, params, args.region)
    except Exception as e:  # noqa: BLE001 - samtranslator's InvalidDocumentException and kin
        fail("SAM transform failed: " + "; ".join(getattr(c, "message", str(c)) for c in getattr(e, "causes", [e])), 1)
    return args, original, params, transformed


def main():
    args, original, params, transformed = transformed_from_args(__doc__.split("\n")[0])
    try:
        reasons, lines_of = reason_comments(args.template)
        check_reasons(args.template, reasons, lines_of, original)
        out = build(Resolver(transformed, params, args.region, args.account), original, transformed, reasons)
    except (Unresolvable, KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        fail(f"cannot resolve: {e}", 1)
    if leftovers(out):
        fail("unresolved intrinsic functions left in the output:\n  " + "\n  ".join(leftovers(out)), 1)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
