//! World outlines for maps: Natural Earth's Admin 0 countries as TopoJSON
//! (`geo/countries-110m.json`, `geo/countries-50m.json` of the shared data, from the npm
//! package `world-atlas`), decoded here without a TopoJSON library.
//!
//! TopoJSON keeps every border once, as an *arc*: a line of points quantized to integers
//! and delta-encoded (the first point absolute, each later one the step from the one
//! before). `transform` maps the integers back to longitude and latitude
//! (`lon = x · scale₀ + translate₀`). A polygon is a list of rings, a ring a list of arc
//! indices, where `~i` (that is `-i - 1`) means arc `i` walked backwards; consecutive arcs
//! share their joining point, which is kept once. Each geometry's `id` is the ISO 3166-1
//! numeric code, mapped to ISO3 through `countries.csv` (`iso_numeric`).
//!
//! [`world_map`] gives what a world choropleth needs: the 1:110m outlines (small enough to
//! draw and serve: 177 shapes, about 8,000 points) and, for every UN member without a shape
//! at that scale (28 small island and city states), a point to draw as a dot: the centre of
//! its largest polygon in the 1:50m file, or, for the one member missing there too
//! (Tuvalu), the coordinates the curated `data/geo/points.toml` gives with its source.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bamboo_core::Iso3;
use serde_json::Value;

use crate::csv::{CsvReader, Header};
use crate::error::DataError;
use crate::locate::DataDir;
use crate::source::read_text;
use crate::Countries;

/// A ring of (longitude, latitude) points in degrees; the first point is not repeated.
pub type Ring = Vec<(f64, f64)>;

/// One geometry of a TopoJSON file: its id, name and polygons (each an outer ring and
/// its holes).
#[derive(Clone, Debug, PartialEq)]
pub struct Shape {
    /// The ISO 3166-1 numeric code as the file writes it (`"704"`), if it has one.
    pub id: Option<String>,
    /// The state it is, through `countries.csv`; `None` for shapes without an ISO code
    /// (Kosovo, Northern Cyprus, Somaliland and similar).
    pub iso3: Option<Iso3>,
    /// `properties.name`.
    pub name: String,
    pub polygons: Vec<Vec<Ring>>,
}

impl Shape {
    /// The centre of the largest polygon (by area in degrees, its outer ring's centroid).
    pub fn label_point(&self) -> Option<(f64, f64)> {
        self.polygons
            .iter()
            .filter_map(|p| p.first())
            .filter_map(|r| centroid(r).map(|c| (area(r).abs(), c)))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|x| x.1)
    }
}

/// The signed area of a ring (shoelace, in square degrees).
fn area(r: &Ring) -> f64 {
    let n = r.len();
    (0..n)
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        / 2.0
}

/// The centroid of a ring (the mean of its points when its area is zero).
fn centroid(r: &Ring) -> Option<(f64, f64)> {
    if r.is_empty() {
        return None;
    }
    let a = area(r);
    let n = r.len();
    if a.abs() < 1e-12 {
        let (sx, sy) = r.iter().fold((0.0, 0.0), |s, p| (s.0 + p.0, s.1 + p.1));
        return Some((sx / n as f64, sy / n as f64));
    }
    let (mut cx, mut cy) = (0.0, 0.0);
    for i in 0..n {
        let (p, q) = (r[i], r[(i + 1) % n]);
        let k = p.0 * q.1 - q.0 * p.1;
        cx += (p.0 + q.0) * k;
        cy += (p.1 + q.1) * k;
    }
    Some((cx / (6.0 * a), cy / (6.0 * a)))
}

fn bad(path: &Path, at: &str, problem: impl Into<String>) -> DataError {
    DataError::Layout {
        path: path.to_path_buf(),
        problem: format!("{at}: {}", problem.into()),
    }
}

/// Decodes the arcs of a topology into (lon, lat) lines.
fn arcs(path: &Path, topo: &Value) -> Result<Vec<Ring>, DataError> {
    let t = &topo["transform"];
    let num = |v: &Value, at: &str| {
        v.as_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad(path, at, "expected a number"))
    };
    let (sx, sy) = (
        num(&t["scale"][0], "transform.scale[0]")?,
        num(&t["scale"][1], "transform.scale[1]")?,
    );
    let (tx, ty) = (
        num(&t["translate"][0], "transform.translate[0]")?,
        num(&t["translate"][1], "transform.translate[1]")?,
    );
    let list = topo["arcs"]
        .as_array()
        .ok_or_else(|| bad(path, "arcs", "expected the topology's array of arcs"))?;
    list.iter()
        .enumerate()
        .map(|(i, arc)| {
            let pts = arc
                .as_array()
                .ok_or_else(|| bad(path, &format!("arcs[{i}]"), "expected an array of positions"))?;
            let (mut x, mut y) = (0i64, 0i64);
            let mut out = Vec::with_capacity(pts.len());
            for (j, p) in pts.iter().enumerate() {
                let at = format!("arcs[{i}][{j}]");
                let d = |k: usize| {
                    p[k].as_i64()
                        .ok_or_else(|| bad(path, &at, "expected a pair of whole numbers (a quantized, delta-encoded position)"))
                };
                x += d(0)?;
                y += d(1)?;
                out.push((x as f64 * sx + tx, y as f64 * sy + ty));
            }
            Ok(out)
        })
        .collect()
}

/// Joins arcs into a ring; `~i` walks arc `i` backwards.
fn ring(path: &Path, at: &str, idx: &Value, arcs: &[Ring]) -> Result<Ring, DataError> {
    let list = idx
        .as_array()
        .ok_or_else(|| bad(path, at, "expected a ring: an array of arc indices"))?;
    let mut out: Ring = Vec::new();
    for (k, v) in list.iter().enumerate() {
        let i = v
            .as_i64()
            .ok_or_else(|| bad(path, &format!("{at}[{k}]"), "expected an arc index"))?;
        let (n, rev) = if i < 0 {
            ((!i) as usize, true)
        } else {
            (i as usize, false)
        };
        let arc = arcs.get(n).ok_or_else(|| {
            bad(
                path,
                &format!("{at}[{k}]"),
                format!("arc {n} does not exist (the file has {} arcs)", arcs.len()),
            )
        })?;
        let pts: Box<dyn Iterator<Item = &(f64, f64)>> = if rev {
            Box::new(arc.iter().rev())
        } else {
            Box::new(arc.iter())
        };
        // The first point of each arc after the first is the last of the one before.
        out.extend(pts.skip(usize::from(!out.is_empty())));
    }
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    Ok(out)
}

/// The `iso_numeric` → ISO3 table of `countries.csv`.
pub fn numeric_codes(path: &Path) -> Result<HashMap<u16, Iso3>, DataError> {
    let text = read_text(path)?;
    let mut r = CsvReader::new(&text, path);
    let mut rec = Vec::new();
    r.next_record(&mut rec)?;
    let h = Header::new(&rec);
    let (i3, num) = (h.require("iso3", path)?, h.require("iso_numeric", path)?);
    let mut out = HashMap::new();
    while let Some(line) = r.next_record(&mut rec)? {
        let n = rec[num].trim();
        if n.is_empty() {
            continue;
        }
        let code: u16 = n.parse().map_err(|_| {
            DataError::field(
                path,
                line,
                "iso_numeric",
                format!("`{n}` is not an ISO numeric code (three digits)"),
            )
        })?;
        let iso = Iso3::parse(&rec[i3])
            .map_err(|e| DataError::field(path, line, "iso3", e.to_string()))?;
        out.insert(code, iso);
    }
    Ok(out)
}

/// Decodes the `countries` object of a TopoJSON topology.
pub fn decode(
    path: &Path,
    text: &str,
    numeric: &HashMap<u16, Iso3>,
) -> Result<Vec<Shape>, DataError> {
    let topo: Value = serde_json::from_str(text).map_err(|e| DataError::Record {
        path: path.to_path_buf(),
        line: e.line(),
        problem: format!("not valid JSON: {e}"),
    })?;
    if topo["type"] != "Topology" {
        return Err(bad(path, "type", "expected a TopoJSON \"Topology\""));
    }
    let arcs = arcs(path, &topo)?;
    let geoms = topo["objects"]["countries"]["geometries"]
        .as_array()
        .ok_or_else(|| {
            bad(
                path,
                "objects.countries.geometries",
                "expected the array of country geometries",
            )
        })?;
    let mut out = Vec::with_capacity(geoms.len());
    for (gi, g) in geoms.iter().enumerate() {
        let at = format!("objects.countries.geometries[{gi}]");
        let polys: Vec<&Value> = match g["type"].as_str() {
            Some("Polygon") => vec![&g["arcs"]],
            Some("MultiPolygon") => g["arcs"]
                .as_array()
                .ok_or_else(|| bad(path, &format!("{at}.arcs"), "expected an array of polygons"))?
                .iter()
                .collect(),
            Some("Point" | "MultiPoint" | "LineString" | "MultiLineString") | None => continue,
            Some(other) => {
                return Err(bad(
                    path,
                    &format!("{at}.type"),
                    format!("`{other}` is not a TopoJSON geometry type"),
                ))
            }
        };
        let mut polygons = Vec::with_capacity(polys.len());
        for (pi, p) in polys.iter().enumerate() {
            let rings = p.as_array().ok_or_else(|| {
                bad(
                    path,
                    &format!("{at}.arcs[{pi}]"),
                    "expected an array of rings",
                )
            })?;
            let rs = rings
                .iter()
                .enumerate()
                .map(|(ri, r)| ring(path, &format!("{at}.arcs[{pi}][{ri}]"), r, &arcs))
                .collect::<Result<Vec<Ring>, _>>()?;
            polygons.push(rs);
        }
        let id = match &g["id"] {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let iso3 = id
            .as_deref()
            .and_then(|s| s.parse::<u16>().ok())
            .and_then(|n| numeric.get(&n).copied());
        out.push(Shape {
            id,
            iso3,
            name: g["properties"]["name"].as_str().unwrap_or("").to_string(),
            polygons,
        });
    }
    Ok(out)
}

/// A curated point for a state that has no shape in either outline file.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CuratedPoint {
    pub state: String,
    pub lon: f64,
    pub lat: f64,
    pub source: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PointsFile {
    point: Vec<CuratedPoint>,
}

/// The shipped `data/geo/points.toml`.
pub const POINTS: (&str, &str) = (
    "data/geo/points.toml",
    include_str!("../../../data/geo/points.toml"),
);

/// A state drawn as a dot: where, and why it is a dot.
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    pub iso3: Iso3,
    pub lon: f64,
    pub lat: f64,
    /// Where the position comes from (`countries-50m.json`, or a curated source).
    pub source: String,
}

/// What a world choropleth is drawn from.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldMap {
    /// The outline file drawn (`…/countries-110m.json`).
    pub file: PathBuf,
    /// Its shapes (Antarctica included; the renderer decides).
    pub shapes: Vec<Shape>,
    /// UN members without a shape in it, as dots.
    pub dots: Vec<Dot>,
    /// UN members neither drawn nor dotted (none with the shipped files; kept so a map can
    /// say so instead of leaving a state out silently).
    pub missing: Vec<Iso3>,
}

/// The 1:110m outlines with a dot for every UN member that has no shape at that scale.
pub fn world_map(dir: &DataDir, countries: &Countries) -> Result<WorldMap, DataError> {
    let numeric = numeric_codes(&dir.countries_csv())?;
    let geo = dir.root.join("geo");
    let f110 = geo.join("countries-110m.json");
    let f50 = geo.join("countries-50m.json");
    let shapes = decode(&f110, &read_text(&f110)?, &numeric)?;
    let have: Vec<Iso3> = shapes.iter().filter_map(|s| s.iso3).collect();
    let members: Vec<Iso3> = countries
        .all()
        .iter()
        .filter(|c| c.un_member && !have.contains(&c.iso3))
        .map(|c| c.iso3)
        .collect();
    let mut dots = Vec::new();
    let mut missing = Vec::new();
    if !members.is_empty() {
        let fine = decode(&f50, &read_text(&f50)?, &numeric)?;
        let points: PointsFile = toml::from_str(POINTS.1).map_err(|e| DataError::Layout {
            path: PathBuf::from(POINTS.0),
            problem: e.to_string(),
        })?;
        for m in members {
            if let Some((lon, lat)) = fine
                .iter()
                .filter(|s| s.iso3 == Some(m))
                .filter_map(|s| s.label_point())
                .next()
            {
                dots.push(Dot {
                    iso3: m,
                    lon,
                    lat,
                    source: "the centre of its largest polygon in countries-50m.json".into(),
                });
            } else if let Some(p) = points.point.iter().find(|p| p.state == m.as_str()) {
                dots.push(Dot {
                    iso3: m,
                    lon: p.lon,
                    lat: p.lat,
                    source: p.source.clone(),
                });
            } else {
                missing.push(m);
            }
        }
    }
    Ok(WorldMap {
        file: f110,
        shapes,
        dots,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-made topology: two squares sharing an edge, one of them walked backwards.
    #[test]
    fn decodes_quantized_delta_arcs() {
        let text = r#"{"type":"Topology","transform":{"scale":[0.5,0.25],"translate":[-10,20]},
          "arcs":[[[0,0],[0,4]],[[0,4],[2,0],[0,-4],[-2,0]],[[0,0],[-2,0],[0,4],[2,0]]],
          "objects":{"countries":{"type":"GeometryCollection","geometries":[
            {"type":"Polygon","id":"704","properties":{"name":"Right"},"arcs":[[0,1]]},
            {"type":"MultiPolygon","properties":{"name":"No code"},"arcs":[[[-1,2]]]}]}}}"#;
        let numeric = HashMap::from([(704u16, Iso3::from_static("VNM"))]);
        let shapes = decode(Path::new("t.json"), text, &numeric).unwrap();
        assert_eq!(shapes.len(), 2);
        assert_eq!(shapes[0].iso3, Some(Iso3::from_static("VNM")));
        // Arc 0: (0,0)→(0,4) = (-10,20)→(-10,21); arc 1 continues to (2,4),(2,0),(0,0).
        assert_eq!(
            shapes[0].polygons[0][0],
            vec![(-10.0, 20.0), (-10.0, 21.0), (-9.0, 21.0), (-9.0, 20.0)]
        );
        assert_eq!(shapes[1].iso3, None);
        // ~0 walks arc 0 backwards: (0,4)→(0,0), then arc 2 from (0,0) on.
        assert_eq!(shapes[1].polygons[0][0][0], (-10.0, 21.0));
        assert_eq!(shapes[1].polygons[0][0].len(), 4);
        let (x, y) = shapes[0].label_point().unwrap();
        assert!((x + 9.5).abs() < 1e-12 && (y - 20.5).abs() < 1e-12);
    }

    #[test]
    fn bad_topologies_name_the_place() {
        let numeric = HashMap::new();
        let e = decode(Path::new("t.json"), "{\"type\": ", &numeric)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.json:1: not valid JSON"), "{e}");
        let text = r#"{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},"arcs":[[[0,0],[1,1]]],
          "objects":{"countries":{"geometries":[{"type":"Polygon","arcs":[[5]]}]}}}"#;
        let e = decode(Path::new("t.json"), text, &numeric)
            .unwrap_err()
            .to_string();
        assert!(e.contains("objects.countries.geometries[0].arcs[0][0][0]: arc 5 does not exist (the file has 1 arcs)"), "{e}");
        let text = r#"{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},"arcs":[[[0,0],["a",1]]],"objects":{"countries":{"geometries":[]}}}"#;
        let e = decode(Path::new("t.json"), text, &numeric)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("arcs[0][1]: expected a pair of whole numbers"),
            "{e}"
        );
    }

    /// The shipped outlines: every UN member is a shape or a dot, none is missing.
    #[test]
    fn every_un_member_is_drawn() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
        let dir = DataDir::locate(Some(&root), None, Path::new(".")).unwrap();
        let c = Countries::load(&dir.countries_csv()).unwrap();
        let w = world_map(&dir, &c).unwrap();
        assert_eq!(w.shapes.len(), 177);
        assert_eq!(
            w.dots.len(),
            28,
            "{:?}",
            w.dots.iter().map(|d| d.iso3).collect::<Vec<_>>()
        );
        assert!(w.missing.is_empty(), "{:?}", w.missing);
        let sgp = w
            .dots
            .iter()
            .find(|d| d.iso3 == Iso3::from_static("SGP"))
            .unwrap();
        assert!(
            (sgp.lon - 103.8).abs() < 0.3 && (sgp.lat - 1.35).abs() < 0.2,
            "{sgp:?}"
        );
        let tuv = w
            .dots
            .iter()
            .find(|d| d.iso3 == Iso3::from_static("TUV"))
            .unwrap();
        assert!(tuv.source.contains("Factbook"));
        let vnm = w
            .shapes
            .iter()
            .find(|s| s.iso3 == Some(Iso3::from_static("VNM")))
            .unwrap();
        let (lon, lat) = vnm.label_point().unwrap();
        assert!((100.0..110.0).contains(&lon) && (8.0..24.0).contains(&lat));
        let points: usize = w
            .shapes
            .iter()
            .flat_map(|s| s.polygons.iter().flatten())
            .map(Vec::len)
            .sum();
        assert!((9000..12000).contains(&points), "{points}");
    }
}
