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
        filters: &[
            ("ordernumber", "ordernumber"),
            ("status", "status"),
            ("paid", "is_paid"),
        ],
        ranges: &[("create_date", "min_create_date", "max_create_date")],
        order: Some(("id", "id_desc")),
        ..Entity::plain("orders", "/orders")
    },
    Entity::plain("users", "/users"),
    Entity {
        filters: &[("productnumber", "productnumber"), ("eannumber", "eannumber")],
        ..Entity::plain("products", "/products")
    },
    Entity::plain("categories", "/categories"),
    Entity {
        creates: false,
        updates: false,
        ..Entity::plain("paymethods", "/paymethods")
    },
    Entity {
        within: &[("product_id", "/products"), ("category_id", "/categories")],
        ..Entity::plain("producttocategories", "/producttocategories")
    },
    Entity::plain("attributes", "/attributes"),
    Entity {
        within: &[("attribute_id", "/attributes")],
        created_below: true,
        ..Entity::plain("attributevalues", "/attributevalues")
    },
    Entity {
        within: &[("product_id", "/products")],
        created_below: true,
        // CCV reads the value given as `optionvalue_id`, and takes it as
        // `optionvalue`.
        renamed_on_create: &[("optionvalue_id", "optionvalue")],
        ..Entity::plain("productattributevalues", "/productattributevalues")
    },
    // A product's photos: read and created below it, the image as base64.
    Entity {
        updates: false,
        within: &[("product_id", "/products")],
        created_below: true,
        ..Entity::plain("productphotos", "/productphotos")
    },
    // CCV makes a product's combinations itself, from the values of its
    // option-menu attributes; flowc updates them (SKU, EAN, stock).
    Entity {
        creates: false,
        within: &[("product_id", "/products")],
        ..Entity::plain("attributecombinations", "/attributecombinations")
    },
];

impl Entity {
    /// A collection of its own, created with POST and updated with PATCH,
    /// with no filters, ranges or order: what each entity above differs
    /// from.
    const fn plain(name: &'static str, path: &'static str) -> Entity {
        Entity {
            name,
            path,
            filters: &[],
            ranges: &[],
            order: None,
            creates: true,
            updates: true,
            within: &[],
            created_below: false,
            renamed_on_create: &[],
        }
    }

    /// The whole collection can be read (`GET path`): it has no parent.
    pub fn listed(&self) -> bool {
        self.within.is_empty()
    }
}

pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|entity| entity.name == name)
}
