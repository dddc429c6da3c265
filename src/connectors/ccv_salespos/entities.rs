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
    /// Record fields a lookup can bound from below or above (`create_date
    /// >= since`), with the parameters that do: `min_create_date`,
    /// `max_create_date`. CCV's bounds are inclusive; the keys decide.
    pub ranges: &'static [(&'static str, &'static str, &'static str)],
    /// `orderby` values for ascending and descending order of the cursor
    /// field, when the API can sort by it.
    pub order: Option<(&'static str, &'static str)>,
    /// Records are created with POST.
    pub creates: bool,
    /// Records are updated with PATCH of the changed fields.
    pub updates: bool,
    /// The records CCV gives only below another one (never the whole
    /// collection): a key field naming the parent, and the parent's
    /// collection. `("product_id", "/products")` reads
    /// `/products/{product_id}/producttocategories`. Records read so carry
    /// the parent's key field, which CCV gives only in the path.
    pub within: &'static [(&'static str, &'static str)],
    /// Records are created below the first parent of `within`, its key
    /// field going into the path and not the body: POST
    /// `/products/{product_id}/productattributevalues`.
    pub created_below: bool,
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
        ranges: &[("create_date", "min_create_date", "max_create_date")],
        order: Some(("id", "id_desc")),
        creates: true,
        updates: true,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "users",
        path: "/users",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "products",
        path: "/products",
        filters: &[("productnumber", "productnumber"), ("eannumber", "eannumber")],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "categories",
        path: "/categories",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "paymethods",
        path: "/paymethods",
        filters: &[],
        ranges: &[],
        order: None,
        creates: false,
        updates: false,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "producttocategories",
        path: "/producttocategories",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("product_id", "/products"), ("category_id", "/categories")],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "attributes",
        path: "/attributes",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[],
        created_below: false,
        renamed_on_create: &[],
    },
    Entity {
        name: "attributevalues",
        path: "/attributevalues",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("attribute_id", "/attributes")],
        created_below: true,
        renamed_on_create: &[],
    },
    Entity {
        name: "productattributevalues",
        path: "/productattributevalues",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: true,
        within: &[("product_id", "/products")],
        created_below: true,
        // CCV reads the value given as `optionvalue_id`, and takes it as
        // `optionvalue`.
        renamed_on_create: &[("optionvalue_id", "optionvalue")],
    },
    // A product's photos: read and created below it, the image as base64.
    Entity {
        name: "productphotos",
        path: "/productphotos",
        filters: &[],
        ranges: &[],
        order: None,
        creates: true,
        updates: false,
        within: &[("product_id", "/products")],
        created_below: true,
        renamed_on_create: &[],
    },
    // CCV makes a product's combinations itself, from the values of its
    // option-menu attributes; flowc updates them (SKU, EAN, stock).
    Entity {
        name: "attributecombinations",
        path: "/attributecombinations",
        filters: &[],
        ranges: &[],
        order: None,
        creates: false,
        updates: true,
        within: &[("product_id", "/products")],
        created_below: false,
        renamed_on_create: &[],
    },
];

impl Entity {
    /// The whole collection can be read (`GET path`): it has no parent.
    pub fn listed(&self) -> bool {
        self.within.is_empty()
    }
}

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|entity| entity.name == name)
}
