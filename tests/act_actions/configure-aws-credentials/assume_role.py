"""Assume the role through the local AWS API (moto) as the real action does
through STS with GitHub's OIDC token, then export the temporary credentials."""

import os
import re
import sys
import urllib.parse
import urllib.request

endpoint = os.environ["ACT_AWS_ENDPOINT"]
form = urllib.parse.urlencode(
    {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": os.environ["ROLE"],
        "RoleSessionName": os.environ["SESSION_NAME"],
        "WebIdentityToken": "stand-in-oidc-token",
        "DurationSeconds": os.environ["DURATION"],
    }
).encode()
with urllib.request.urlopen(urllib.request.Request(endpoint, data=form), timeout=30) as answer:
    xml = answer.read().decode()
values = {
    name: re.search(f"<{name}>([^<]*)</{name}>", xml).group(1)
    for name in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Arn")
}
region = os.environ["REGION"]
account = values["Arn"].split(":")[4]
with open(os.environ["GITHUB_ENV"], "a") as env:
    env.write(f"AWS_REGION={region}\nAWS_DEFAULT_REGION={region}\n")
    env.write(f"AWS_ACCESS_KEY_ID={values['AccessKeyId']}\n")
    env.write(f"AWS_SECRET_ACCESS_KEY={values['SecretAccessKey']}\n")
    env.write(f"AWS_SESSION_TOKEN={values['SessionToken']}\n")
    env.write(f"AWS_ENDPOINT_URL={endpoint}\n")
with open(os.environ["GITHUB_OUTPUT"], "a") as output:
    output.write(f"aws-account-id={account}\n")
print(f"Authenticated as assumedRoleId {values['Arn']}", file=sys.stderr)
