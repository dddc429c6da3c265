//! Images in the MplusKASSA sandbox, as the WSDL describes them:
//!
//! - `createImageFromUrl` takes an `imageName`, a `mimeType` and the
//!   `imageUrl` MplusKASSA fetches the image from, and optionally a
//!   `cardLink` (a card type and the numbers of the cards that show it).
//!   It answers `CREATE-IMAGE-OK` with the image's id, hash and the address
//!   MplusKASSA keeps it at, or `CREATE-IMAGE-NOT-SUPPORTED` (not an image
//!   type, not an address it can fetch) or `CREATE-IMAGE-STORAGE-ERROR`
//!   (a card it does not have) with an `errorMsg`. The sandbox fetches
//!   nothing: it keeps what it was given.
//! - `getCardImages` gives, per card number asked, the card's images
//!   (`ImageData`: id, hash, address, the original name, size, labels,
//!   when made and changed).
//! - `getImages` gives images by id (`Image`), with their data in base64
//!   when `includeImageData` is true (`LOAD-FILE-OK`), else
//!   `LOAD-FILE-NOT-REQUESTED`. An image made from an address has the
//!   data of a one-pixel PNG: the sandbox fetched nothing.

use std::hash::{BuildHasher, Hasher};

use super::{Node, Records, Stats, Till, number_of, result};
use crate::value::{Object, Value};

/// The kinds of card an image can be linked to.
const CARD_TYPES: &[&str] = &["EMPLOYEE", "PRODUCT", "RELATION"];

/// Where the sandbox's images are kept, as MplusKASSA answers it.
const KEPT_AT: &str = "https://images.mpluskassa.invalid/sandbox";

fn missing(name: &str) -> String {
    format!("Validation constraint violation: missing element 'ns:{name}'")
}

fn text<'n>(request: &'n Node, name: &str) -> Result<&'n str, String> {
    request
        .get(name)
        .map(|node| node.text.trim())
        .ok_or_else(|| missing(name))
}

/// A card type of the WSDL's enumeration.
fn card_type(node: &Node) -> Result<&str, String> {
    let kind = node.text.trim();
    if CARD_TYPES.contains(&kind) {
        Ok(kind)
    } else {
        Err(format!(
            "Validation constraint violation: value '{kind}' not in enumeration in element 'ns:cardType'"
        ))
    }
}

/// The entity whose records a card type's cards are, and their number.
fn cards_of(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "PRODUCT" => ("products", "productNumber"),
        "RELATION" => ("relations", "relationNumber"),
        _ => ("employees", "employeeNumber"),
    }
}

fn failed(code: &str, message: String) -> (String, String) {
    (
        "CreateImageResponse".into(),
        result(
            code,
            &[
                ("imageId", "0".into()),
                ("imageHash", String::new()),
                ("imageUrl", String::new()),
                ("errorMsg", message),
            ],
        ),
    )
}

impl Till {
    /// createImageFromUrl.
    pub(super) fn create_image(&self, held: &mut Records, request: &Node) -> Result<(String, String), String> {
        let name = text(request, "imageName")?.to_string();
        let mime = text(request, "mimeType")?.to_string();
        let url = text(request, "imageUrl")?.to_string();
        if !mime.starts_with("image/") {
            return Ok(failed(
                "CREATE-IMAGE-NOT-SUPPORTED",
                format!("{mime} is not an image type"),
            ));
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Ok(failed("CREATE-IMAGE-NOT-SUPPORTED", format!("cannot fetch {url}")));
        }
        let mut cards = Vec::new();
        if let Some(link) = request.get("cardLink") {
            let kind = card_type(link.get("cardType").ok_or_else(|| missing("cardType"))?)?;
            let (entity, field) = cards_of(kind);
            for number in link.numbers("cardNumbers")? {
                if !held
                    .of(entity)
                    .iter()
                    .any(|card| number_of(card, field) == Some(number))
                {
                    return Ok(failed(
                        "CREATE-IMAGE-STORAGE-ERROR",
                        format!("there is no {} card {number}", kind.to_lowercase()),
                    ));
                }
                cards.push((kind.to_string(), number));
            }
        }
        let id = held
            .of("images")
            .iter()
            .filter_map(|image| number_of(image, "imageId"))
            .max()
            .unwrap_or(0)
            + 1;
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write(url.as_bytes());
        let hash = format!("{:016x}", hasher.finish());
        let kept = format!("{KEPT_AT}/{id}");
        let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut image = Object::new();
        image.push("imageId", Value::Int(id));
        image.push("imageHash", Value::from(hash.clone()));
        image.push("imageUrl", Value::from(kept.clone()));
        image.push("originalName", Value::from(name));
        image.push("imageWidth", Value::Int(800));
        image.push("imageHeight", Value::Int(800));
        image.push("created", Value::from(now.clone()));
        image.push("modified", Value::from(now));
        let cards: Vec<Value<'static>> = cards
            .into_iter()
            .map(|(kind, number)| {
                let mut card = Object::new();
                card.push("cardType", Value::from(kind));
                card.push("cardNumber", Value::Int(number));
                Value::object(card)
            })
            .collect();
        image.push("cards", Value::list(cards));
        held.of_mut("images").push(Value::object(image));
        Stats::count(&self.stats.created);
        Ok((
            "CreateImageResponse".into(),
            result(
                "CREATE-IMAGE-OK",
                &[("imageId", id.to_string()), ("imageHash", hash), ("imageUrl", kept)],
            ),
        ))
    }
}

/// getCardImages: per card asked, its images.
pub(super) fn card_images(held: &Records, request: &Node) -> Result<(String, String), String> {
    let kind = card_type(request.get("cardType").ok_or_else(|| missing("cardType"))?)?;
    let mut content = String::new();
    for number in request.numbers("cardNumbers")? {
        content.push_str(&format!("<ns:items><ns:cardNumber>{number}</ns:cardNumber>"));
        for image in held.of("images").iter().filter(|image| shown_on(image, kind, number)) {
            content.push_str("<ns:images>");
            for field in [
                "imageId",
                "imageHash",
                "imageUrl",
                "originalName",
                "imageWidth",
                "imageHeight",
            ] {
                let value = image.get(field).and_then(Value::to_text).unwrap_or_default();
                content.push_str(&format!(
                    "<ns:{field}>{}</ns:{field}>",
                    quick_xml::escape::escape(value.as_ref())
                ));
            }
            content.push_str("<ns:labels></ns:labels>");
            for field in ["created", "modified"] {
                let value = image.get(field).and_then(Value::to_text).unwrap_or_default();
                content.push_str(&format!("<ns:{field}>{value}</ns:{field}>"));
            }
            content.push_str("</ns:images>");
        }
        content.push_str("</ns:items>");
    }
    Ok(("GetCardImagesResponse".into(), content))
}

/// A one-pixel PNG, the data of an image the sandbox was only told the
/// address of.
const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==";

/// getImages: the images asked for, with their data when asked.
pub(super) fn images(held: &Records, request: &Node) -> Result<(String, String), String> {
    let ids = request.numbers("imageIds")?;
    let with_data = match request.get("includeImageData").map(|node| node.text.trim()) {
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        Some(_) => {
            return Err("Validation constraint violation: data type mismatch in element 'ns:includeImageData'".into());
        }
        None => return Err(missing("includeImageData")),
    };
    let mut content = String::from("<ns:imageList>");
    for image in held
        .of("images")
        .iter()
        .filter(|image| number_of(image, "imageId").is_some_and(|id| ids.contains(&id)))
    {
        let field = |name: &str| {
            image
                .get(name)
                .and_then(Value::to_text)
                .unwrap_or_default()
                .into_owned()
        };
        let data = if with_data {
            image
                .get("imageData")
                .and_then(Value::as_str)
                .unwrap_or(PIXEL)
                .to_string()
        } else {
            String::new()
        };
        let loaded = if with_data {
            "LOAD-FILE-OK"
        } else {
            "LOAD-FILE-NOT-REQUESTED"
        };
        content.push_str("<ns:image>");
        for (name, value) in [
            ("imageId", field("imageId")),
            ("imageName", field("originalName")),
            ("imageHash", field("imageHash")),
            ("imagePath", String::new()),
            ("imageUrl", field("imageUrl")),
            ("imageData", data),
            ("imageDataResult", loaded.to_string()),
            ("thumbHash", String::new()),
            ("thumbPath", String::new()),
            ("thumbUrl", String::new()),
            ("thumbData", String::new()),
            ("thumbDataResult", "LOAD-FILE-NOT-REQUESTED".to_string()),
            ("imageWidth", field("imageWidth")),
            ("imageHeight", field("imageHeight")),
            ("thumbWidth", "0".to_string()),
            ("thumbHeight", "0".to_string()),
        ] {
            content.push_str(&format!(
                "<ns:{name}>{}</ns:{name}>",
                quick_xml::escape::escape(value.as_str())
            ));
        }
        content.push_str("</ns:image>");
    }
    content.push_str("</ns:imageList>");
    Ok(("GetImagesResponse".into(), content))
}

/// Whether an image is linked to this card.
fn shown_on(image: &Value<'_>, kind: &str, number: i64) -> bool {
    image.get("cards").and_then(Value::as_list).is_some_and(|cards| {
        cards.iter().any(|card| {
            card.get("cardType").and_then(Value::as_str) == Some(kind) && number_of(card, "cardNumber") == Some(number)
        })
    })
}
