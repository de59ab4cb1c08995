//! The world map of the atlas (also `bamboo chart map`): one period's lean, balance, pole
//! leaned toward, or alignment with one pole, for every state, as a choropleth drawn by
//! `bamboo-report` from Natural Earth's outlines (`bamboo_data::geo`).
//!
//! What a map can show is a [`MapMeasure`]; each reads the atlas of the period, so the map,
//! `bamboo atlas` and `GET /api/atlas` give the same numbers. An ideal-point map becomes one
//! more variant once ideal points are a measure of the atlas.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use bamboo_core::atlas::{Atlas, AtlasRow, Measure};
use bamboo_core::bootstrap::Estimate;
use bamboo_core::Iso3;
use bamboo_data::geo::{world_map, WorldMap};
use bamboo_data::{Countries, DataDir};
use bamboo_report::{lighten, Category, Choropleth, ColorScale, Fill, Legend, Region, PALETTE};

use crate::views::AtlasAsk;

/// What the map colours.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MapMeasure {
    /// Lean between the poles (0 = equidistant).
    Lean,
    /// Balance, 1 − lean.
    Balance,
    /// The pole leaned toward, lighter where its interval overlaps another pole's.
    Toward,
    /// Alignment with one pole (`agreement:CHN`; the metric is the atlas's).
    Alignment(Iso3),
    /// Each state's own ideal point (`bamboo ideal`; the United States positive), poles
    /// included; the atlas must read `--metric ideal`.
    Ideal,
}

/// `--measure` as typed, before its pole is checked against the country table.
#[derive(Clone, Debug, PartialEq)]
pub enum MapMeasureText {
    Lean,
    Balance,
    Toward,
    Ideal,
    /// `METRIC:POLE`, e.g. `agreement:CHN`.
    Alignment {
        metric: Measure,
        pole: String,
    },
}

impl MapMeasure {
    /// Parses `lean`, `balance`, `toward`, or `METRIC:ISO3` (e.g. `agreement:CHN`).
    pub fn parse(s: &str) -> Result<MapMeasureText, String> {
        let allowed =
            "use lean, balance, toward, ideal, or a measure and a pole such as agreement:CHN";
        match s.trim() {
            "ideal" => Ok(MapMeasureText::Ideal),
            "lean" => Ok(MapMeasureText::Lean),
            "balance" => Ok(MapMeasureText::Balance),
            "toward" => Ok(MapMeasureText::Toward),
            t => {
                let (m, pole) = t
                    .split_once(':')
                    .ok_or_else(|| format!("`{t}` is not a map measure; {allowed}"))?;
                let metric = Measure::parse(m.trim()).ok_or_else(|| {
                    format!(
                        "`{m}` in `{t}` is not a measure; use one of {} before the colon",
                        Measure::names().join(", ")
                    )
                })?;
                Ok(MapMeasureText::Alignment {
                    metric,
                    pole: pole.trim().to_string(),
                })
            }
        }
    }

    /// The measure's name as the map's title and file names say it.
    pub fn name(&self, measure: Measure) -> String {
        match self {
            MapMeasure::Lean => "lean".into(),
            MapMeasure::Balance => "balance".into(),
            MapMeasure::Toward => "toward".into(),
            MapMeasure::Ideal => "ideal".into(),
            MapMeasure::Alignment(p) => format!("{}:{p}", measure.name()),
        }
    }
}

/// The world outlines, read once from a data folder when a map is first asked for.
pub struct GeoCache {
    dir: Option<DataDir>,
    world: OnceLock<Result<WorldMap, String>>,
}

impl GeoCache {
    pub fn new(dir: Option<DataDir>) -> GeoCache {
        GeoCache {
            dir,
            world: OnceLock::new(),
        }
    }

    /// The outlines, or why they cannot be read (the message names the file).
    pub fn get(&self, countries: &Countries) -> Result<&WorldMap, String> {
        self.world
            .get_or_init(|| match &self.dir {
                Some(d) => world_map(d, countries).map_err(|e| e.to_string()),
                None => {
                    Err("no data folder holds the world outlines (geo/countries-110m.json)".into())
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The outline file drawn, for notes.
    pub fn file(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.root.join("geo/countries-110m.json"))
    }
}

fn est(e: &Estimate) -> String {
    match (e.value, e.lo, e.hi) {
        (Some(v), Some(lo), Some(hi)) => format!("{v:.2} [{lo:.2}, {hi:.2}]"),
        (Some(v), ..) => format!("{v:.2}"),
        _ => "undefined".into(),
    }
}

/// The pole colours: the report palette in the order of the poles.
fn pole_colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The choropleth of one atlas.
pub fn map_svg(
    world: &WorldMap,
    countries: &Countries,
    atlas: &Atlas,
    ask: &AtlasAsk,
    measure: MapMeasure,
    provenance: &str,
) -> String {
    let m = MapDraw::new(countries, atlas, ask, measure);
    let (title, definition) = m.title_and_definition();
    let (lo, hi) = m.value_range();
    let map = Choropleth::new(title)
        .subtitle(definition)
        .legend(m.legend(lo, hi))
        .labels(
            format!("no recorded vote in {}", atlas.period.label()),
            if ask.group.is_some() {
                "outside the group, a pole, or not a UN member state"
            } else {
                "a pole, or not a UN member state"
            },
        );
    let (map, drawn) = m.regions(map, world);
    m.notes(map, world, &drawn)
        .note(provenance.to_string())
        .to_svg()
}

/// One map being drawn: the atlas, what was asked, and the lookups every region needs.
struct MapDraw<'a> {
    countries: &'a Countries,
    atlas: &'a Atlas,
    ask: &'a AtlasAsk,
    measure: MapMeasure,
    /// Ideal points by state: (position, standard error).
    positions: HashMap<Iso3, (f64, Option<f64>)>,
    rows: HashMap<Iso3, &'a AtlasRow>,
    /// The UN member states of the country table (grey "no data" rather than "outside").
    members: Vec<Iso3>,
    /// With `--group`, the states of the atlas (the group's members that voted).
    grouped: Option<Vec<Iso3>>,
}

impl<'a> MapDraw<'a> {
    fn new(
        countries: &'a Countries,
        atlas: &'a Atlas,
        ask: &'a AtlasAsk,
        measure: MapMeasure,
    ) -> Self {
        MapDraw {
            countries,
            atlas,
            ask,
            measure,
            positions: atlas
                .positions
                .iter()
                .map(|&(s, x, se)| (s, (x, se)))
                .collect(),
            rows: atlas.rows.iter().map(|r| (r.state, r)).collect(),
            members: countries
                .all()
                .iter()
                .filter(|c| c.un_member)
                .map(|c| c.iso3)
                .collect(),
            grouped: ask
                .group
                .as_ref()
                .map(|_| atlas.rows.iter().map(|r| r.state).collect()),
        }
    }

    fn name(&self, c: Iso3) -> String {
        self.countries.short_name(c)
    }

    fn pole_names(&self) -> String {
        let v: Vec<String> = self.atlas.poles.iter().map(|&p| self.name(p)).collect();
        match v.len() {
            0 => String::new(),
            1 => v[0].clone(),
            n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
        }
    }

    fn pole_index(&self, p: Iso3) -> Option<usize> {
        self.atlas.poles.iter().position(|&q| q == p)
    }

    /// The title and the definition under it.
    fn title_and_definition(&self) -> (String, String) {
        let (atlas, ask) = (self.atlas, self.ask);
        let period = atlas.period.label();
        let poles = self.pole_names();
        let metric_def = match ask.measure {
            Measure::Votes(m) => m.definition().to_string(),
            Measure::Ideal => atlas.definition.clone(),
        };
        match self.measure {
            MapMeasure::Lean => (
                format!("Lean between {poles} in the UN General Assembly, {period}"),
                format!("Lean = the largest minus the smallest of a state's {} with each pole (0 = equidistant: dark purple; yellow = close to one pole only). {metric_def}.", ask.measure.name()),
            ),
            MapMeasure::Balance => (
                format!("Balance between {poles} in the UN General Assembly, {period}"),
                format!("Balance = 1 - lean, lean = the largest minus the smallest of a state's {} with each pole (1 = equidistant: yellow). {metric_def}.", ask.measure.name()),
            ),
            MapMeasure::Toward => (
                format!("The pole each state leaned toward in the UN General Assembly, {period}"),
                format!("Toward = the pole with the largest {}; lighter where its {}% interval overlaps another pole's (no clear lean). {metric_def}.", ask.measure.name(), ask.boot.level),
            ),
            MapMeasure::Alignment(p) => (
                format!("{} with {} in the UN General Assembly, {period}", capitalise(ask.measure.name()), self.name(p)),
                format!("{metric_def}."),
            ),
            MapMeasure::Ideal => (
                format!("Ideal points in the UN General Assembly, {period}"),
                "Ideal point = each state's position on one dimension from a dynamic ordinal item-response model of every roll call 1946-2024 (bamboo ideal; the United States positive; a span averages its sessions); poles are coloured too.".to_string(),
            ),
        }
    }

    /// The fill of one place on the map and the words of its tooltip.
    fn fill(&self, state: Option<Iso3>) -> (Fill, String) {
        let Some(s) = state else {
            return (Fill::Outside, "no ISO code in the outlines".into());
        };
        let period = self.atlas.period.label();
        if self.measure == MapMeasure::Ideal {
            return match self.positions.get(&s) {
                Some(&(x, se)) => (
                    Fill::Value(x),
                    match se {
                        Some(se) => format!("ideal point {x:.2} (se {se:.2})"),
                        None => format!("ideal point {x:.2}"),
                    },
                ),
                None if self.members.contains(&s) => {
                    (Fill::NoData, format!("no ideal point in {period}"))
                }
                None => (Fill::Outside, "not a UN member state".into()),
            };
        }
        if self.pole_index(s).is_some() {
            return (Fill::Outside, "a pole".into());
        }
        if let Some(g) = &self.grouped {
            if !g.contains(&s) {
                return (
                    Fill::Outside,
                    format!(
                        "not a member of {}",
                        self.ask.group.as_ref().map_or("", |g| g.code.as_str())
                    ),
                );
            }
        }
        match self.rows.get(&s) {
            Some(r) => self.reading_fill(r),
            None if self.members.contains(&s) => {
                (Fill::NoData, format!("no recorded vote in {period}"))
            }
            None => (Fill::Outside, "not a UN member state".into()),
        }
    }

    /// The fill of a state with a row in the atlas, for every measure but ideal points.
    fn reading_fill(&self, r: &AtlasRow) -> (Fill, String) {
        let name = |c: Iso3| self.name(c);
        let reading = &r.reading;
        let rank = r
            .rank
            .map(|k| format!("; rank {k} of {} by balance", self.atlas.ranked))
            .unwrap_or_default();
        let undefined = || {
            (
                Fill::NoData,
                "undefined (no shared vote with some pole)".to_string(),
            )
        };
        match self.measure {
            MapMeasure::Lean | MapMeasure::Balance => {
                let e = if self.measure == MapMeasure::Lean {
                    &reading.lean
                } else {
                    &reading.balance
                };
                match e.value {
                    Some(v) => (
                        Fill::Value(v),
                        format!(
                            "{} {}, toward {}{rank}",
                            self.measure.name(self.ask.measure),
                            est(e),
                            toward_words(reading, &name)
                        ),
                    ),
                    None => undefined(),
                }
            }
            MapMeasure::Ideal => (Fill::NoData, "no ideal point".into()),
            MapMeasure::Toward => match reading.toward.and_then(|p| self.pole_index(p)) {
                Some(i) => {
                    let tie = !reading.tie.is_empty();
                    (
                        Fill::Category(2 * i + usize::from(tie)),
                        format!(
                            "toward {}, lean {}{rank}",
                            toward_words(reading, &name),
                            est(&reading.lean)
                        ),
                    )
                }
                None => undefined(),
            },
            MapMeasure::Alignment(p) => match self.pole_index(p) {
                Some(i) => {
                    let e = &reading.alignments[i];
                    match e.value {
                        Some(v) => (
                            Fill::Value(v),
                            format!(
                                "{} {} ({} roll calls)",
                                self.ask.measure.name(),
                                est(e),
                                reading.n[i]
                            ),
                        ),
                        None => (Fill::NoData, "no shared vote".into()),
                    }
                }
                None => (Fill::NoData, "not measured".into()),
            },
        }
    }

    /// The colour scale's ends: 0 to 1 (widened to the data) for measures on the unit
    /// range and for lean and balance, else the data's range.
    fn value_range(&self) -> (f64, f64) {
        let measure = self.measure;
        let values: Vec<f64> = if measure == MapMeasure::Ideal {
            self.atlas.positions.iter().map(|p| p.1).collect()
        } else {
            self.atlas
                .rows
                .iter()
                .filter_map(|r| match measure {
                    MapMeasure::Lean => r.reading.lean.value,
                    MapMeasure::Balance => r.reading.balance.value,
                    MapMeasure::Alignment(p) => self
                        .pole_index(p)
                        .and_then(|i| r.reading.alignments[i].value),
                    MapMeasure::Toward | MapMeasure::Ideal => None,
                })
                .collect()
        };
        if measure != MapMeasure::Ideal
            && (self.ask.measure.unit_range()
                || matches!(measure, MapMeasure::Lean | MapMeasure::Balance))
        {
            let top = values.iter().copied().fold(1.0, f64::max);
            let bottom = values.iter().copied().fold(0.0, f64::min);
            (bottom, top)
        } else {
            let a = values.iter().copied().fold(f64::INFINITY, f64::min);
            let b = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if a.is_finite() && b > a {
                (a, b)
            } else {
                (0.0, 1.0)
            }
        }
    }

    fn legend(&self, lo: f64, hi: f64) -> Legend {
        let scale = |label: String| Legend::Scale {
            scale: ColorScale::Viridis,
            lo,
            hi,
            label,
        };
        match self.measure {
            MapMeasure::Toward => Legend::Categories(
                self.atlas
                    .poles
                    .iter()
                    .enumerate()
                    .flat_map(|(i, &p)| {
                        [
                            Category {
                                label: format!("toward {}", self.name(p)),
                                colour: pole_colour(i).to_lowercase(),
                            },
                            Category {
                                label: format!("{}, within the interval of another", self.name(p)),
                                colour: lighten(pole_colour(i), 0.6),
                            },
                        ]
                    })
                    .collect(),
            ),
            MapMeasure::Lean => scale("Lean".into()),
            MapMeasure::Balance => scale("Balance".into()),
            MapMeasure::Alignment(p) => scale(format!(
                "{} with {}",
                capitalise(self.ask.measure.name()),
                self.name(p)
            )),
            MapMeasure::Ideal => scale("Ideal point (US positive)".into()),
        }
    }

    /// Every shape and dot of the outlines as a region; also the states drawn.
    fn regions(&self, mut map: Choropleth, world: &WorldMap) -> (Choropleth, Vec<Iso3>) {
        let mut drawn = Vec::new();
        for s in &world.shapes {
            // Antarctica is left out, as most world choropleths do (it has no vote).
            if s.iso3 == Some(Iso3::from_static("ATA")) {
                continue;
            }
            let (fill, detail) = self.fill(s.iso3);
            if let Some(c) = s.iso3 {
                drawn.push(c);
            }
            map = map.region(Region {
                id: s.iso3.map_or_else(String::new, |c| c.to_string()),
                label: s
                    .iso3
                    .map_or_else(|| s.name.clone(), |c| format!("{} ({c})", self.name(c))),
                polygons: s.polygons.clone(),
                dot: s.label_point(),
                fill,
                detail,
            });
        }
        for d in &world.dots {
            let (fill, detail) = self.fill(Some(d.iso3));
            drawn.push(d.iso3);
            map = map.region(Region {
                id: d.iso3.to_string(),
                label: format!("{} ({})", self.name(d.iso3), d.iso3),
                polygons: Vec::new(),
                dot: Some((d.lon, d.lat)),
                fill,
                detail,
            });
        }
        (map, drawn)
    }

    /// The notes under the map: states and period, the map's sources and choices, states
    /// not placed, and the group's definition.
    fn notes(&self, map: Choropleth, world: &WorldMap, drawn: &[Iso3]) -> Choropleth {
        let (atlas, ask) = (self.atlas, self.ask);
        // A state that voted but has no place on the map (a former state, such as the GDR
        // in the years it voted) is named rather than left out silently.
        let unplaced: Vec<String> = atlas
            .rows
            .iter()
            .filter(|r| !drawn.contains(&r.state))
            .map(|r| format!("{} ({})", self.name(r.state), r.state))
            .collect();
        let mut map = map
            .note(format!(
                "States and period: {} states voted on the {} roll calls of {} ({}); poles: {}. Figures and intervals as in `bamboo atlas`: {}.",
                atlas.rows.len() + atlas.poles.len(),
                atlas.observations,
                atlas.period.label(),
                ask.filter.label(),
                self.pole_names(),
                ask.boot.definition()
            ))
            .note(format!(
                "Map: Equal Earth projection (equal-area). Outlines: Natural Earth 4.1.0 Admin 0 at 1:110m (world-atlas 2.0.2); the {} UN members without a shape at that scale, and states too small to see, are dots (positions from the 1:50m outlines; Tuvalu, in neither, from the CIA World Factbook). Present-day borders for every year. Borders and disputed areas follow Natural Earth's de facto choices (Western Sahara apart from Morocco; Kosovo, Northern Cyprus and Somaliland have no ISO code and are grey); they imply no position. Antarctica is not shown.",
                world.dots.len()
            ));
        if !unplaced.is_empty() {
            map = map.note(format!(
                "Voted but not on today's map: {}.",
                unplaced.join(", ")
            ));
        }
        if !world.missing.is_empty() {
            map = map.note(format!(
                "UN members with no shape or position in the outline files: {}.",
                world
                    .missing
                    .iter()
                    .map(|c| format!("{} ({c})", self.name(*c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(g) = &ask.group {
            map = map.note(g.definition());
        }
        map
    }
}

fn toward_words(r: &bamboo_core::atlas::Reading, name: &dyn Fn(Iso3) -> String) -> String {
    match (r.toward, r.tie.len()) {
        (None, _) => "undefined".into(),
        (Some(t), 0) => name(t),
        (Some(t), _) => format!(
            "{} (interval overlaps {})",
            name(t),
            r.tie[1..]
                .iter()
                .map(|&p| name(p))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
