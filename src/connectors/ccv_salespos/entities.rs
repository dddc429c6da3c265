//! The CCV SalesPOS entities flowc reads and writes, and how each maps onto
//! the CCV Shop REST API (`/api/rest/v1/...`): its path, the query
//! parameters that filter it server-side, its order, and which writes it
//! takes.

/// One entity of the API.
#[derive(Debug)]
pub struct Entity {
    pub name: &'static str,
    /// Below the API root: `/orders`.
    pub path: &'static str,
    /// Record fields a lookup can give to the API as a query parameter,
    /// with the parameter's name: `productnumber` -> `?productnumber=`.
    /// Other keys are matched here, over the pages read.
    pub filters: &'static [(&'static str, &'static str)],
    /// `orderby` values for ascending and descending order of the cursor
    /// field, when the API can sort by it.
    pub order: Option<(&'static str, &'static str)>,
    /// Records are created with POST.
    pub creates: bool,
    /// Records are updated with PATCH of the changed fields.
    pub updates: bool,
    /// The records CCV gives only below another one: a key field naming
    /// the parent, and the parent's collection. `("product_id",
    /// "/products")` reads `/products/{product_id}/producttocategories`.
    /// Records read so carry the parent's key field, which CCV gives only
    /// in the path.
    pub within: &'static [(&'static str, &'static str)],
    /// The whole collection can be read (`GET path`); when not, records
    /// are read only through a parent of `within`.
    pub listed: bool,
    /// Records created below their parent: the payload field naming it,
    /// which goes into the path and not the body, and the parent's
    /// collection. `("product_id", "/products")` creates with POST
    /// `/products/{product_id}/productattributevalues`.
    pub created_under: Option<(&'static str, &'static str)>,
    /// Fields a create sends under another name than CCV reads them by:
    /// (the name read, the name written).
    pub renamed_on_create: &'static [(&'static str, &'static str)],
}

pub const ENTITIES: &[Entity] = &[
    Entity {
        name: "orders",
        path: "/orders",
        filters: &[
            ("ordernumber", "ordernumber"),
            ("status", "status"),
            ("paid", "is_paid"),
        ],
        order: Some(("id", "id_desc")),
        creates: false,
        updates: true,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "users",
        path: "/users",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "products",
        path: "/products",
        filters: &[("productnumber", "productnumber"), ("eannumber", "eannumber")],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "categories",
        path: "/categories",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "paymethods",
        path: "/paymethods",
        filters: &[],
        order: None,
        creates: false,
        updates: false,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "producttocategories",
        path: "/producttocategories",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("product_id", "/products"), ("category_id", "/categories")],
        listed: false,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "attributes",
        path: "/attributes",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        listed: true,
        created_under: None,
        renamed_on_create: &[],
    },
    Entity {
        name: "attributevalues",
        path: "/attributevalues",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("attribute_id", "/attributes")],
        listed: false,
        created_under: Some(("attribute_id", "/attributes")),
        renamed_on_create: &[],
    },
    Entity {
        name: "productattributevalues",
        path: "/productattributevalues",
        filters: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("product_id", "/products")],
        listed: false,
        created_under: Some(("product_id", "/products")),
        // CCV reads the value given as `optionvalue_id`, and takes it as
        // `optionvalue`.
        renamed_on_create: &[("optionvalue_id", "optionvalue")],
    },
    // CCV makes a product's combinations itself, from the values of its
    // option-menu attributes; flowc updates them (SKU, EAN, stock).
    Entity {
        name: "attributecombinations",
        path: "/attributecombinations",
        filters: &[],
        order: None,
        creates: false,
        updates: true,
        within: &[("product_id", "/products")],
        listed: false,
        created_under: None,
        renamed_on_create: &[],
    },
];

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|entity| entity.name == name)
}
