#!/usr/bin/env python3
"""template.yaml through the SAM transform, as JSON: what CloudFormation would deploy.

For tests that check the deployed stack's shape (TemplateOperabilityTest): the transform runs offline as
in iam_policies.py (local CodeUri/DefinitionUri become a placeholder S3 location). Each resource gets
"Deployed" (its Condition, evaluated for the parameters) and, where every intrinsic function in them
resolves locally, its properties resolved ("Resolved"; else absent), and what Ref of it gives ("Ref"). Parameters are those of iam_policies.py.
Exit 2: bad or missing parameter. Exit 1: the transform failed.

Usage: transformed_template.py TEMPLATE [--param Name=Value ...] [--region us-east-1] [--account 123456789012]
"""
import json
import os
import sys


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import iam_policies  # noqa: E402


def main():
    args, _, params, transformed = iam_policies.transformed_from_args(__doc__.split("\n")[0])
    res = iam_policies.Resolver(transformed, params, args.region, args.account)
    for lid, r in transformed["Resources"].items():
        r["Deployed"] = res.deployed(lid)
        try:
            r["Ref"] = res.ref(lid, f"Resources.{lid}")
        except (iam_policies.Unresolvable, KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass
        try:
            resolved = res.resolve(r.get("Properties") or {}, f"Resources.{lid}.Properties")
            if not iam_policies.leftovers(resolved):
                r["Resolved"] = resolved
        except (iam_policies.Unresolvable, KeyError, IndexError, TypeError, ValueError, AttributeError):
            pass
    transformed["ParameterValues"] = params
    print(json.dumps(transformed, indent=1))


if __name__ == "__main__":
    main()
