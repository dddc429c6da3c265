#!/usr/bin/env python3
"""Generates flowc's entity schemas from the vendors' published API descriptions.

    python3 tools/generate_schemas.py ../shared/specs

writes src/connectors/schemas/<system>.json. The output is committed: the
specs live beside the project, not in it. Each schema lists, per entity, its
id field, its incremental cursor field, and its fields with their kind,
whether a create requires them, whether they can be written at all, a length
limit, the decimals a number takes where the vendor says, and the fields
of nested objects and list elements. An object whose
fields the spec does not describe is "open": its insides are not checked.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "connectors" / "schemas"


def write_schema(system, source, entities, lookups=None):
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
    "articlelabels": "ArticleLabelApi",
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
            # "Format: Max 2 decimals", "Format: 4 decimals allowed", "2
            # decimals allowed if the customer is domestic or 4 if
            # foreign": the first figure, the one every customer takes.
            places = re.search(r"Format:\s*(?:Max\s+)?(\d+)\s+decimals", prop.get("description", ""))
            if places:
                field["decimals"] = int(places.group(1))
        elif kind == "boolean":
            field = {"kind": "bool"}
        else:
            field = {"kind": "any"}
    if prop.get("readOnly"):
        field["read_only"] = True
    if prop.get("description"):
        field["description"] = prop["description"]
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
    write_schema(
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
            if entry.get("description"):
                field["description"] = entry["description"]
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
    # POST /orders takes the rows themselves, as a list of row inputs.
    row_input = fields_of("orderrow input entity", None)
    row_input["count"]["required"] = True
    orders["orderrows"]["written"] = {
        "kind": "list",
        "items": {"kind": "object", "fields": row_input},
        "description": "The order's rows, each the product (product_id) and its count; CCV fills in the product's data, and a value given overrules it.",
    }
    # CCV sets an order's creation moment itself.
    orders["create_date"]["stamped"] = True
    # Written on create, read back otherwise: the user as `user`, the
    # take-out slot as `take_out_window`.
    post_fields = {entry["field"]: entry for entry in find("orders POST input")}
    for name in ("user_id", "takeoutslot"):
        kind, _ = ccv_kind(post_fields[name]["type"])
        orders[name] = {"kind": kind, "write_only": True, "description": post_fields[name]["description"]}

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
    # The links between products and categories, from the same client's
    # models (Models/Producttocategories/Resource and .../Post): POST
    # /producttocategories takes product_id, category_id and position;
    # CCV reads them per product or per category only.
    product_to_categories = {
        "href": {"kind": "text", "read_only": True, "description": "Link to self"},
        "id": {"kind": "int", "read_only": True, "description": "Unique id of the resource"},
        "position": {"kind": "int", "description": "Position of the product in the category; the highest when left out"},
        "product_id": {"kind": "int", "required": True, "description": "Unique id of the product"},
        "category_id": {"kind": "int", "required": True, "description": "Unique id of the category"},
        "product_href": {"kind": "text", "read_only": True, "description": "Link to the product"},
        "category_href": {"kind": "text", "read_only": True, "description": "Link to the category"},
    }
    # Attributes (size, colour), their values, a product's values and the
    # attribute combinations CCV makes of them (its variants), from the
    # same client's models (Models/Attributes, Attributevalues,
    # Productattributevalues, Attributecombinations: Resource for what is
    # read, Input/Post/Patch for what is written).
    def described(kind, description, **notes):
        field = {"kind": kind, "description": description}
        field.update(notes)
        return field

    link = lambda what: described("text", f"Link to {what}", read_only=True)
    attributes = {
        "href": link("self"),
        "id": described("int", "Unique id of the resource", read_only=True),
        "name": described("text", "Attribute name", required=True),
        "type": described(
            "text",
            "Attribute type: option_menu, option_menu_required, text, text_required, additional_menu or "
            "additional_menu_required. Option menus make attribute combinations; additional menus do not",
            required=True,
        ),
        "attribute_type": described("int", "Deprecated: use type", read_only=True),
        "attribute_values": {"kind": "object", "open": True, "read_only": True, "description": "Values linked to this attribute"},
        "parent": {"kind": "object", "open": True, "read_only": True, "description": "Link to the parent resource"},
    }
    attribute_values = {
        "href": link("self"),
        "id": described("int", "Unique id of the resource", read_only=True),
        "name": described("text", "Attribute value name", required=True),
        "default_price": described("decimal", "Default price of this attribute value", required=True),
        "attribute_id": described(
            "int", "Id of the attribute the value belongs to (in the path of a create: /attributes/{attribute_id}/attributevalues)",
            required=True,
        ),
        "parent": {"kind": "object", "open": True, "read_only": True, "description": "Link to the parent resource"},
    }
    product_attribute_values = {
        "href": link("self"),
        "id": described("int", "Product-to-attribute id", read_only=True),
        "product_id": described(
            "int", "The product (in the path: /products/{product_id}/productattributevalues; flowc adds it to what it reads)",
            required=True,
        ),
        "optionid": described("int", "Attribute id", read_only=True),
        "optionname": described("text", "Attribute name", read_only=True),
        "optionposition": described("int", "Attribute position", read_only=True),
        "optionvalue_id": described(
            "int", "The attribute value given to the product (a create sends it as CCV's `optionvalue`)", required=True
        ),
        "optionvalue_name": described("text", "Attribute value name", read_only=True),
        "position": described("int", "Position, from 1; the highest when left out"),
        "price": described("decimal", "Extra price for this value", required=True),
        "enable": described("bool", "Deprecated: always true", read_only=True),
    }
    chosen = {
        "kind": "object",
        "fields": {
            "id": described("int", "Id"),
            "name": described("text", "Name"),
            "href": described("text", "Link"),
        },
    }
    attribute_combinations = {
        "href": link("self"),
        "id": described("int", "Unique id of the resource", read_only=True),
        "note": described("text", "A description of the attribute combination"),
        "product_id": described("int", "The product", read_only=True),
        "stock": described("decimal", "The stock of the combination"),
        "netto_extra_price": described("decimal", "The sum of the extra prices of its attribute values", read_only=True),
        "ordering_without_stock": described("text", "Ordering without stock: global_setting, ...", read_only=True),
        "product_number": described("text", "The product number"),
        "ean_number": described("text", "The EAN number"),
        "sku_number": described("text", "The SKU number"),
        "delivery_time": described("int", "Expected delivery time, in delivery_time_type units"),
        "delivery_time_type": described("text", "days, weeks, months, quarters, years, outofstock, temporarilysoldout, ordered, onrequest, unknown"),
        "delivery_default_text": described("text", "The delivery time default in text"),
        "active": described("bool", "Whether customers can choose it"),
        "combination": {
            "kind": "list",
            "read_only": True,
            "description": "The attribute values that make this combination",
            "items": {
                "kind": "object",
                "fields": {
                    "attribute": dict(chosen, description="The attribute"),
                    "attribute_value": dict(chosen, description="The attribute value"),
                    "extra_price": described("decimal", "The extra price of this value"),
                },
            },
        },
        "attributecombinationphotos": {"kind": "object", "open": True, "read_only": True},
        "attributes": {"kind": "object", "open": True, "read_only": True},
        "attributevalues": {"kind": "object", "open": True, "read_only": True},
        "parent": {"kind": "object", "open": True, "read_only": True},
    }
    # A product's photos, from the same client's models
    # (Models/Productphotos: Resource for what is read, Productphotos/Post
    # for what is written): read and created below their product
    # (/products/{id}/productphotos), the image given as base64 data.
    product_photos = {
        "href": link("self"),
        "id": described("int", "Product photo id", read_only=True),
        "product_id": described(
            "int", "The product (in the path: /products/{product_id}/productphotos; flowc adds it to what it reads)",
            required=True,
        ),
        "filename": described("text", "Product photo filename", read_only=True),
        "alttext": described("text", "Photo alt text"),
        "is_mainphoto": described(
            "bool", "Product photo marked as mainphoto. Products without a mainphoto will not show a photo in categories"
        ),
        "deeplink": described("text", "Product photo deeplink", read_only=True),
        "parent": {"kind": "object", "open": True, "read_only": True, "description": "Parent resource of this resource"},
        "file_type": described("text", "Photo extension", required=True, write_only=True),
        "source": described(
            "text", "Base64 encoded image source, without the base64 metadata ('data:image/png;base64,')",
            required=True, write_only=True,
        ),
    }
    entities = {
        "orders": {"id": "id", "cursor": "id", "fields": orders},
        "users": {"id": "id", "cursor": "id", "fields": users},
        "products": {"id": "id", "cursor": "modifydate", "fields": products},
        "paymethods": {"id": "id", "read_only": True, "fields": paymethods},
        "categories": {"id": "id", "fields": categories},
        "producttocategories": {"id": "id", "fields": product_to_categories},
        "attributes": {"id": "id", "fields": attributes},
        "attributevalues": {"id": "id", "fields": attribute_values},
        "productattributevalues": {"id": "id", "fields": product_attribute_values},
        "attributecombinations": {"id": "id", "fields": attribute_combinations},
        "productphotos": {"id": "id", "fields": product_photos},
    }
    write_schema("ccv_salespos", "CCV Shop REST API field catalogue (specs/ccv/ccvshop-field-catalog.json)", entities)


# ----------------------------------------------------------------- Visma.net

# entity (the API path below /v1) : (the DTO read, the DTO written, id, cursor)
VISMANET_ENTITIES = {
    "customer": ("CustomerDto", "CustomerUpdateDto", "number", "lastModifiedDateTime"),
    "inventory": ("InventoryDto", "InventoryUpdateDto", "inventoryNumber", "lastModifiedDateTime"),
    "salesorder": ("SalesOrderDto", "SalesOrderUpdateDto", "orderNo", "lastModifiedDateTime"),
    "customerinvoice": ("CustomerInvoiceDto", "CustomerInvoiceUpdateDto", "referenceNumber", "lastModifiedDateTime"),
    # Credit terms: the DTO customers refer to (no list path in the 2017 spec).
    "creditterms": ("CreditTermsDto", None, "id", None),
    "paymentmethod": ("PaymentMethodDto", None, "paymentMethodID", None),
    "vat": ("VatInformationDto", None, "vatId", "lastModifiedDateTime"),
    "warehouse": ("WarehouseDto", None, "warehouseID", None),
}


def vismanet_field(definitions, prop, side, depth):
    """A property as a field, as `side` ("read" or "write") sees it. A
    written value the API takes as DtoValue is `wrapped`: sent as
    `{"value": x}`."""
    wrapped = False
    if "$ref" in prop:
        name = prop["$ref"].split("/")[-1]
        if name.startswith("DtoValue["):
            inner = definitions.get(name, {}).get("properties", {}).get("value", {})
            field = vismanet_field(definitions, inner, side, depth)
            wrapped = True
        elif name in definitions and definitions[name].get("enum"):
            field = {"kind": "text"}
        elif name in definitions and definitions[name].get("properties") and depth < 3:
            field = {"kind": "object", "fields": vismanet_side(definitions, name, side, depth + 1)}
        else:
            field = {"kind": "object", "open": True}
    elif prop.get("type") == "array":
        field = {"kind": "list", "items": vismanet_field(definitions, prop.get("items", {}), side, depth)}
    else:
        kind = prop.get("type")
        field = {"string": {"kind": "text"}, "integer": {"kind": "int"}, "number": {"kind": "decimal"},
                 "boolean": {"kind": "bool"}}.get(kind, {"kind": "any"})
        if kind == "string" and "maxLength" in prop:
            field["max_length"] = prop["maxLength"]
    if wrapped:
        field["wrapped"] = True
    description = prop.get("description", "")
    if description:
        field["description"] = description
    if side == "write" and "Mandatory field" in description:
        field["required"] = True
    return field


def vismanet_side(definitions, name, side, depth=0):
    properties = definitions.get(name, {}).get("properties", {})
    return {field: vismanet_field(definitions, prop, side, depth) for field, prop in properties.items()}


def vismanet_merge(read, write):
    """A record's fields as read and as written, in one: only read is
    read-only, only written is write-only, both keep the written form
    (its wrapping) and merge their insides; shapes that differ are open."""
    merged = {}
    for name in sorted(set(read) | set(write)):
        if name in read and name in write:
            r, w = read[name], write[name]
            if r["kind"] != w["kind"]:
                field = {k: v for k, v in w.items() if k in ("wrapped", "required", "description")}
                field["kind"] = "any"
            elif w["kind"] == "object" and "fields" in r and "fields" in w:
                field = dict(w, fields=vismanet_merge(r["fields"], w["fields"]))
            elif w["kind"] == "list" and "fields" in r.get("items", {}) and "fields" in w.get("items", {}):
                items = dict(w["items"], fields=vismanet_merge(r["items"]["fields"], w["items"]["fields"]))
                field = dict(w, items=items)
            else:
                field = dict(w)
            if "description" not in field and r.get("description"):
                field["description"] = r["description"]
        elif name in read:
            field = dict(read[name], read_only=True)
        else:
            field = dict(write[name], write_only=True)
        merged[name] = field
    return merged


def vismanet(specs):
    swagger = json.loads((specs / "visma.net" / "vismanet-erp-swagger-v6.11-2017.json").read_text())
    definitions = swagger["definitions"]
    entities = {}
    for entity, (read, write, id_field, cursor) in VISMANET_ENTITIES.items():
        read_fields = vismanet_side(definitions, read, "read")
        if write is None:
            fields = read_fields
        else:
            fields = vismanet_merge(read_fields, vismanet_side(definitions, write, "write"))
        schema = {"id": id_field, "fields": fields}
        if write is None:
            schema["read_only"] = True
        if cursor and cursor in fields:
            schema["cursor"] = cursor
        entities[entity] = schema
    write_schema(
        "vismanet",
        "Visma.net ERP API swagger v6.11 (specs/visma.net/vismanet-erp-swagger-v6.11-2017.json)",
        entities,
    )


# ----------------------------------------------------------------- AccountView

ACCOUNTVIEW_KINDS = {"C": "text", "M": "text", "N": "decimal", "Y": "decimal", "B": "decimal", "I": "int", "L": "bool", "D": "text", "T": "text"}


def accountview_dictionary(specs, name):
    """Fields of a table from AccountView's data dictionary export."""
    fields = {}
    for entry in json.loads((specs / "accountview" / "fields" / f"{name}.json").read_text()):
        kind = ACCOUNTVIEW_KINDS.get(entry["FIELD_TYPE"], "any")
        # The type code a write's table definition gives the field.
        field = {"kind": kind, "vendor_type": entry["FIELD_TYPE"]}
        if entry["FIELD_TYPE"] == "C" and entry.get("FIELD_LEN"):
            field["max_length"] = entry["FIELD_LEN"]
        if entry.get("INP_MAND"):
            field["required"] = True
        if entry.get("FLD_DESC"):
            field["description"] = entry["FLD_DESC"]
        fields[entry["FIELD_NAME"]] = field
    return fields


def accountview_sample(samples, file, table, extra=()):
    """Fields of a table no dictionary export describes, from a sample
    whose field names were checked against AccountView connectors (see
    its _meta): their kinds from the values."""
    record = json.loads((samples / "accountview" / file).read_text())["record"]
    row = record[table][0]
    fields = {}
    for name, value in list(row.items()) + [(name, value) for name, value in extra]:
        kind = {bool: "bool", int: "decimal", float: "decimal", str: "text"}.get(type(value), "any")
        vendor_type = {bool: "L", int: "N", float: "N"}.get(type(value), "C")
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
            vendor_type = "T"
        fields[name] = {"kind": kind, "vendor_type": vendor_type}
    return fields


def accountview_written(samples, file):
    """The header and detail fields of a write sample (its table
    definition): names and AccountView field types."""
    record = json.loads((samples / "accountview" / file).read_text())["record"]
    table = record["Table"]
    def fields_of(definition):
        return {
            entry["name"]: {"kind": ACCOUNTVIEW_KINDS.get(entry["FieldType"], "any"), "vendor_type": entry["FieldType"]}
            for entry in definition["Fields"]
            if entry["name"] not in ("RowId", "HeaderId")
        }
    header = fields_of(table["Definition"])
    details = {definition["Name"]: fields_of(definition) for definition in table.get("DetailDefinitions", [])}
    return table["Definition"]["Name"], header, details


def accountview(specs):
    samples = specs.parent / "samples"
    debtors = accountview_dictionary(specs, "contact")
    vat = accountview_dictionary(specs, "vat")
    articles = accountview_sample(samples, "product.json", "ARTICLE")
    for name, field in accountview_sample(samples, "stock.json", "ARTICLE").items():
        articles.setdefault(name, field)
    _, header, details = accountview_written(samples, "order.json")
    header["SO_LINE"] = {"kind": "list", "items": {"kind": "object", "fields": details["SO_LINE"]}}
    sales_invoices = accountview_dictionary(specs, "dj_page")
    invoice_lines = accountview_dictionary(specs, "dj_line")
    # The journal code and page come from the header, line ids from AccountView.
    for name in ("DJ_CODE", "PAGE_NR", "REC_ID", "SRC_ID", "SRC_TYPE"):
        invoice_lines.get(name, {}).pop("required", None)
    sales_invoices["PAGE_NR"].pop("required", None)
    sales_invoices["DJ_LINE"] = {"kind": "list", "items": {"kind": "object", "fields": invoice_lines}}
    for changed in (debtors, articles, vat):
        if "CNG_DATE" in changed:
            changed["CNG_DATE"]["read_only"] = True
    entities = {
        # AR1: debiteuren, table CONTACT.
        "debtors": {"id": "SUB_NR", "cursor": "CNG_DATE", "fields": debtors},
        # AK1: artikelen, table ARTICLE.
        "articles": {"id": "ART_CODE", "cursor": "CNG_DATE", "fields": articles},
        # AG1: artikelgroepen, table ART_GRP.
        "article_groups": {
            "id": "AG_CODE",
            "fields": {
                "AG_CODE": {"kind": "text", "required": True, "vendor_type": "C"},
                "AG_DESC": {"kind": "text", "vendor_type": "C"},
            },
        },
        # SO1: verkooporders, header SO_HDR with detail SO_LINE.
        "sales_orders": {"id": "ORD_NR", "fields": dict(header, ORD_NR={"kind": "text", "read_only": True, "vendor_type": "C"})},
        # DJ2: verkoopfacturen as journal pages (DJ_PAGE) with their lines
        # (DJ_LINE), created only: AccountView.net has no update for them.
        "sales_invoices": {"id": "INV_NR", "fields": sales_invoices},
        # The VAT codes (table VAT).
        "vat_codes": {"id": "VAT_CODE", "read_only": True, "fields": vat},
    }
    write_schema(
        "accountview",
        "AccountView data dictionary exports (specs/accountview/fields) and samples checked against AccountView connectors (samples/accountview)",
        entities,
        lookups="record fields",
    )


# ----------------------------------------------------------------- MplusKASSA

XSD = "{http://www.w3.org/2001/XMLSchema}"
WSDL = "{http://schemas.xmlsoap.org/wsdl/}"

# entity : (the XSD type of a record, id, cursor, fields the server sets, fields a create needs)
MPLUS_ENTITIES = {
    "orders": ("Order", "orderId", "syncMarker",
               {"orderId", "syncMarker", "entryTimestamp", "totalInclAmount", "totalExclAmount", "changeCounter",
                "versionNumber", "orderNumber", "branchOrderNumber", "vatGroupList", "deliveryState", "cancelState",
                "completeState", "invoiceIds", "invoiceNumbers"},
               {"employeeNumber", "lineList"}),
    "invoices": ("Invoice", "invoiceId", "syncMarker",
                 {"invoiceId", "syncMarker", "entryTimestamp", "invoiceNumber", "invoiceBarcode", "transactionString",
                  "totalInclAmount", "totalExclAmount", "changeCounter", "versionNumber", "vatGroupList", "paidAmount",
                  "state", "finalizedTimestamp", "branchInvoiceNumber", "mailedTimestamp", "timelineEvents"},
                 {"employeeNumber", "lineList"}),
    "relations": ("Relation", "relationNumber", "syncMarker", {"syncMarker", "createTimestamp", "changeTimestamp", "points", "balance"}, {"name"}),
    "products": ("Product", "productNumber", "syncMarker", {"syncMarker"}, {"description"}),
    # Created with newArticleGroup (a parent, a name and a text), changed
    # with updateArticleGroup; MplusKASSA numbers them.
    "articlegroups": ("ChangedArticleGroup", "groupNumber", "syncMarker",
                      {"groupNumber", "syncMarker", "subGroupNumbers", "productNumbers", "image", "isDeleted"},
                      {"parentGroupNumber", "name", "text"}),
    "stock": ("ArticleStock", "articleNumber", None, {"changeTimestamp", "stockId"}, set()),
    # Images by id, with their data (getImages with includeImageData):
    # what a product's card shows, to send to a shop that takes the data.
    "images": ("Image", "imageId", None, None, set()),
    "paymentmethods": ("PaymentMethod", "method", None, None, set()),
    "vatgroups": ("VatGroup", "vatCode", None, None, set()),
    "employees": ("Employee", "employeeNumber", "syncMarker", None, set()),
    "branches": ("Branch", "branchNumber", None, None, set()),
    "deliverymethods": ("DeliveryMethod", "deliveryMethod", None, None, set()),
    "ordercategories": ("OrderCategory", "orderCategoryNumber", None, None, set()),
}


def mplus_types(specs):
    import xml.etree.ElementTree as ET
    root = ET.parse(specs / "mplus" / "mplusqapi.wsdl").getroot()
    schema = root.find(f"{WSDL}types/{XSD}schema")
    complex_types = {element.get("name"): element for element in schema.findall(f"{XSD}complexType")}
    simple_types = {element.get("name") for element in schema.findall(f"{XSD}simpleType")}
    return complex_types, simple_types


def mplus_fields(complex_types, simple_types, type_name, depth=0):
    fields = {}
    complex_type = complex_types.get(type_name)
    if complex_type is None:
        return fields
    for position, element in enumerate(complex_type.iter(f"{XSD}element")):
        name = element.get("name")
        type_ref = (element.get("type") or "").split(":")[-1]
        if type_ref in ("string", "dateTime", "date", "base64Binary", "base64"):
            field = {"kind": "text"}
        elif type_ref in ("int", "long", "short", "byte", "unsignedInt", "unsignedLong"):
            field = {"kind": "int"}
        elif type_ref in ("decimal", "double", "float"):
            field = {"kind": "decimal"}
        elif type_ref == "boolean":
            field = {"kind": "bool"}
        elif type_ref in simple_types:
            field = {"kind": "text"}
        elif type_ref in complex_types and depth < 4:
            field = {"kind": "object", "fields": mplus_fields(complex_types, simple_types, type_ref, depth + 1)}
        else:
            field = {"kind": "object", "open": True}
        if element.get("maxOccurs") == "unbounded":
            field = {"kind": "list", "items": field}
        # XML's elements go in the order of the type's sequence.
        field["position"] = position
        fields[name] = field
    return fields


def mpluskassa(specs):
    complex_types, simple_types = mplus_types(specs)
    entities = {}
    for entity, (type_name, id_field, cursor, server_set, needed) in MPLUS_ENTITIES.items():
        fields = mplus_fields(complex_types, simple_types, type_name)
        schema = {"id": id_field, "fields": fields}
        if server_set is None:
            schema["read_only"] = True
        else:
            for name in server_set:
                if name in fields:
                    fields[name]["read_only"] = True
        for name in needed:
            if name in fields:
                fields[name]["required"] = True
        if cursor:
            schema["cursor"] = cursor
        entities[entity] = schema
    # A product's images: each an ImageData of the product's card
    # (getCardImages, cardType PRODUCT) with the product's number; created
    # with createImageFromUrl, which fetches the image from `imageUrl`,
    # names it `imageName` (read back as `originalName`) and links it to
    # the card. Read as MplusKASSA keeps them: `imageUrl` is then its own.
    image = mplus_fields(complex_types, simple_types, "ImageData")
    for field in image.values():
        field["read_only"] = True
        field.pop("position", None)
    image["imageUrl"] = {"kind": "text", "required": True,
                         "description": "Written: the address MplusKASSA fetches the image from. Read: where MplusKASSA keeps it."}
    image["productNumber"] = {"kind": "int", "required": True, "description": "The product whose card shows the image."}
    image["imageName"] = {"kind": "text", "required": True, "write_only": True,
                          "description": "The image's name, read back as originalName."}
    image["mimeType"] = {"kind": "text", "required": True, "write_only": True,
                         "description": "The image's MIME type (image/jpeg, image/png, ...)."}
    entities["productimages"] = {"id": "imageId", "fields": image}
    write_schema("mpluskassa", "MplusKASSA MplusQapi WSDL (specs/mplus/mplusqapi.wsdl)", entities)


if __name__ == "__main__":
    specs = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "specs")
    OUT.mkdir(parents=True, exist_ok=True)
    eaccounting(specs)
    ccv(specs)
    vismanet(specs)
    accountview(specs)
    mpluskassa(specs)
