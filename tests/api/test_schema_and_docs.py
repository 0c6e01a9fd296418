"""The OpenAPI schema and the interactive reference, served offline under the strict CSP."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_schema_lists_every_endpoint_with_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Postframe API"
    assert {"/api/v1/generations", "/api/v1/generations/{generation_id}", "/api/v1/assets/{asset_id}/file"} <= set(
        schema["paths"]
    )
    assert "post" in schema["paths"]["/api/v1/generations"]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_schema_documents_the_product_sheets_payload_and_the_error_shape(client):
    schema = client.get("/api/v1/openapi.json").json()
    fields = schema["components"]["schemas"]["GenerationIn"]["properties"]
    assert {"model", "prompt", "quality", "aspectRatio", "referenceImages", "size", "n", "mask"} <= set(fields)
    assert {"background", "outputFormat", "outputCompression", "previousGenerationId"} <= set(fields)
    responses = schema["paths"]["/api/v1/generations"]["post"]["responses"]
    assert {"202", "400", "401", "402", "403", "404"} <= set(responses)


def test_the_docs_page_loads_swagger_from_our_static_files_with_the_csp_nonce(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page has no scripts"
    for attributes in scripts:
        # Every script is either a file of ours carrying the nonce, or inert JSON.
        assert f'nonce="{nonce}"' in attributes or 'type="application/json"' in attributes
        assert "cdn" not in attributes.lower() and "http" not in attributes
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")
    assert "/api/v1/openapi.json" in html


def test_the_schema_document_has_no_key_twice_so_swagger_can_parse_it(client):
    """An int 200 and a str "200" in one responses map both serialise as "200"; Swagger UI refuses that."""

    def strict(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"a key appears twice among {keys}"
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json", HTTP_HOST="127.0.0.1").content, object_pairs_hook=strict)
