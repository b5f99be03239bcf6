"""Ask the local AWS API (moto) for an ECR authorization token, as the real
action does, then log docker in to the local registry standing in for ECR."""

import base64
import json
import os
import subprocess
import urllib.request

region = os.environ["AWS_REGION"]
request = urllib.request.Request(
    os.environ["AWS_ENDPOINT_URL"],
    data=b"{}",
    headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
        # moto reads the region from the signature's scope and checks nothing else.
        "Authorization": f"AWS4-HMAC-SHA256 Credential={os.environ['AWS_ACCESS_KEY_ID']}"
        f"/20260101/{region}/ecr/aws4_request, SignedHeaders=host, Signature=0",
    },
)
with urllib.request.urlopen(request, timeout=30) as answer:
    data = json.load(answer)["authorizationData"][0]
user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
registry = os.environ["ACT_REGISTRY"]
subprocess.run(
    ["docker", "login", "--username", user, "--password-stdin", registry],
    input=password.encode(),
    check=True,
)
with open(os.environ["GITHUB_OUTPUT"], "a") as output:
    output.write(f"registry={registry}\n")
print(f"ECR answered for {data['proxyEndpoint']}; logged in to {registry} (stand-in)")
