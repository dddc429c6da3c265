#!/usr/bin/env python3
"""Generates flowc's entity schemas from the vendors' published API descriptions.

    python3 tools/generate_schemas.py ../shared/specs

writes src/connectors/schemas/<system>.json. The output is committed: the
specs live beside the project, not in it. Each schema lists, per entity, its
id field, its incremental cursor field, and its fields with their kind,
whether a create requires them, whether they can be written at all, a length
limit, and the fields of nested objects and list elements. An object whose
fields the spec does not describe is "open": its insides are not checked.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "connectors" / "schemas"


def write(system, source, entities, lookups=None):
    document = {"system": system, "generated_from": source, "entities": entities}
    if lookups:
        # What the system's API can look records up by: "record fields"
        # when it filters on the record's own fields only (not on a field
        # inside a list); absent when flowc matches lookups itself.
        document["lookups"] = lookups
    path = OUT / f"{system}.json"
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {len(entities)} entities")


# ----------------------------------------------------------------- eAccounting

EACCOUNTING_ENTITIES = {
    # entity (the API path) : definition
    "customers": "CustomerApi",
    "articles": "ArticleApi",
    "orders": "OrderApi",
    "customerinvoicedrafts": "CustomerInvoiceDraftApi",
    "customerinvoices": "CustomerInvoiceApi",
    "quotes": "QuoteApi",
    "termsofpayments": "TermsOfPaymentApi",
    "vatcodes": "VatCode",
    "articleaccountcodings": "ArticleAccountCodingAPI",
    "units": "UnitApi",
    "deliverymethods": "DeliveryMethodApi",
}
EACCOUNTING_READ_ONLY = {"termsofpayments", "vatcodes", "articleaccountcodings", "units", "deliverymethods"}
EACCOUNTING_CURSORS = {
    "customers": "ChangedUtc",
    "articles": "ChangedUtc",
    "orders": "ModifiedUtc",
}


def swagger_field(definitions, prop, depth):
    if "$ref" in prop:
        name = prop["$ref"].split("/")[-1]
        field = {"kind": "object"}
        if depth < 3 and name in definitions:
            field["fields"] = swagger_fields(definitions, definitions[name], depth + 1)
        else:
            field["open"] = True
    else:
        kind = prop.get("type")
        if kind == "array":
            field = {"kind": "list", "items": swagger_field(definitions, prop.get("items", {}), depth)}
        elif kind == "string":
            field = {"kind": "text"}
            if "maxLength" in prop:
                field["max_length"] = prop["maxLength"]
        elif kind == "integer":
            field = {"kind": "int"}
        elif kind == "number":
            field = {"kind": "decimal"}
        elif kind == "boolean":
            field = {"kind": "bool"}
        else:
            field = {"kind": "any"}
    if prop.get("readOnly"):
        field["read_only"] = True
    return field


def swagger_fields(definitions, definition, depth=0):
    required = set(definition.get("required", []))
    fields = {}
    for name, prop in definition.get("properties", {}).items():
        field = swagger_field(definitions, prop, depth)
        if name in required:
            field["required"] = True
        fields[name] = field
    return fields


def eaccounting(specs):
    swagger = json.loads((specs / "eaccounting" / "eaccounting-swagger-v2.json").read_text())
    definitions = swagger["definitions"]
    entities = {}
    for entity, definition in EACCOUNTING_ENTITIES.items():
        fields = swagger_fields(definitions, definitions[definition])
        schema = {"id": "Id" if "Id" in fields else "Code", "fields": fields}
        if entity in EACCOUNTING_READ_ONLY:
            schema["read_only"] = True
        if entity in EACCOUNTING_CURSORS:
            schema["cursor"] = EACCOUNTING_CURSORS[entity]
        entities[entity] = schema
    write(
        "eaccounting",
        "Visma eAccounting API v2 swagger (specs/eaccounting/eaccounting-swagger-v2.json)",
        entities,
        lookups="record fields",
    )


# ----------------------------------------------------------------- CCV SalesPOS

def ccv_kind(type_text):
    """The kind of a catalogue type such as `int|null` or `...\\Orders[]`."""
    base = type_text.split("|")[0]
    if base.endswith("[]"):
        return "list", base[:-2]
    return {"string": "text", "int": "int", "float": "decimal", "bool": "bool"}.get(base, "object"), base


def ccv(specs):
    catalogue = json.loads((specs / "ccv" / "ccvshop-field-catalog.json").read_text())
    resources = catalogue["resources"]

    def find(prefix):
        return next(fields for name, fields in resources.items() if name.startswith(prefix))

    # Child types the catalogue describes, by the type name that refers to them.
    children = {
        "Vnd\\Verto\\Webshop\\Entity\\Personalinfo\\Personalinfo": "personalinfo entity",
        "Internal\\Entity\\Personalinfo\\Input\\Input": "personalinfo entity",
        "Vnd\\Verto\\Webshop\\Entity\\Personalinfo\\Child\\Billingaddress": "personalinfo.billingaddress",
        "Vnd\\Verto\\Webshop\\Entity\\Personalinfo\\Child\\Deliveryaddress": "personalinfo.deliveryaddress",
        "Internal\\Entity\\Orderrow\\Input\\Input": "orderrow input entity",
    }

    def fields_of(resource, writable, depth=0):
        fields = {}
        for entry in find(resource):
            kind, base = ccv_kind(entry["type"])
            field = {"kind": kind}
            if kind == "list":
                element_kind, _ = ccv_kind(base)
                if base in children and depth < 3:
                    field["items"] = {"kind": "object", "fields": fields_of(children[base], None, depth + 1)}
                elif element_kind == "object":
                    field["items"] = {"kind": "object", "open": True}
                else:
                    field["items"] = {"kind": element_kind}
            elif kind == "object":
                if base in children and depth < 3:
                    # The input lists name top-level fields only.
                    field["fields"] = fields_of(children[base], None, depth + 1)
                else:
                    field["open"] = True
            if writable is not None and entry["field"] not in writable:
                field["read_only"] = True
            fields[entry["field"]] = field
        return fields

    def names(resource):
        return {entry["field"] for entry in find(resource)}

    order_input = names("orders POST input") | names("orders PATCH input")
    orders = fields_of("orders (GET", order_input)
    # The order's rows: the connector embeds the orderrows endpoint's own
    # response (a collection envelope) where the API has only a link.
    envelope = fields_of("collection envelope", None)
    envelope["items"] = {"kind": "list", "items": {"kind": "object", "fields": fields_of("orderrows (GET", None)}}
    orders["orderrows"] = {"kind": "object", "fields": envelope}
    for field in envelope.values():
        field["read_only"] = True
    orders["orderrows"]["read_only"] = True

    products = fields_of("products (GET", names("products PATCH input"))
    users = fields_of("users (GET", names("users POST input"))
    paymethods = fields_of("paymethods (GET", set())
    # Categories are not in the catalogue; their fields are those of the
    # same client's models, generated from CCV's JSON schemas
    # (Models/Categories/Resource/Categories.php; POST and PATCH take all
    # but href, id, deeplink and the links).
    category_fields = {
        "href": "text", "id": "int", "name": "text", "description": "text",
        "description_bottom": "text", "searchwords": "text", "photo": "text",
        "show_big_photo": "bool", "productphoto_in_canvas": "bool", "show_orderbutton": "bool",
        "orderby": "text", "items_per_page": "int", "position": "int",
        "layout_of_categories_id": "int", "show_on_website": "bool", "color": "int",
        "color_alternative": "int", "meta_description": "text", "meta_keywords": "text",
        "page_title": "text", "no_index": "bool", "no_follow": "bool", "alias": "text",
        "deeplink": "text", "parentcategory": "object", "parentcategory_id": "int",
    }
    categories = {}
    for name, kind in category_fields.items():
        field = {"kind": kind}
        if kind == "object":
            field["open"] = True
        if name in ("href", "id", "deeplink", "parentcategory", "photo"):
            field["read_only"] = True
        if name == "name":
            field["required"] = True
        categories[name] = field
    entities = {
        "orders": {"id": "id", "cursor": "id", "fields": orders},
        "users": {"id": "id", "cursor": "id", "fields": users},
        "products": {"id": "id", "cursor": "modifydate", "fields": products},
        "paymethods": {"id": "id", "read_only": True, "fields": paymethods},
        "categories": {"id": "id", "fields": categories},
    }
    write("ccv_salespos", "CCV Shop REST API field catalogue (specs/ccv/ccvshop-field-catalog.json)", entities)


if __name__ == "__main__":
    specs = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "specs")
    OUT.mkdir(parents=True, exist_ok=True)
    eaccounting(specs)
    ccv(specs)
