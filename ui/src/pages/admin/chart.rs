//! Bar charts as SVG inside the page: no script, no style attribute (presentation attributes only), a title
//! and a description for screen readers, every value written beside its bar (the table below the chart
//! repeats them all).

/// Fill colours with at least 3:1 contrast against white (WCAG 2.1 non-text contrast).
pub const BLUE: &str = "#0b4f9c";
pub const GREEN: &str = "#0b6b2e";
pub const TEAL: &str = "#00606b";
pub const BROWN: &str = "#7a4a00";
pub const RED: &str = "#8a1010";
pub const GREY: &str = "#4a4a4a";

// Narrow enough to stay legible on a 360 px phone: each label sits on its own line above its bar.
const WIDTH: u32 = 360;
const BAR_SPACE: u32 = 270;
const ROW: u32 = 52;
const BAR_HEIGHT: u32 = 18;

/// One bar to draw: its label, its length out of `max`, the value as written.
pub struct Item {
    pub label: String,
    pub magnitude: u64,
    pub value: String,
    pub fill: &'static str,
}

/// A laid-out bar.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub fill: &'static str,
    pub bar_y: u32,
    pub width: u32,
    /// The label's baseline (above the bar).
    pub label_y: u32,
    /// The value's baseline (beside the bar).
    pub value_y: u32,
    pub value_x: u32,
}

pub struct Chart {
    /// Unique in the page: the ids of the title and description derive from it.
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub width: u32,
    pub height: u32,
    pub bar_height: u32,
    pub bars: Vec<Bar>,
}

impl Chart {
    /// Horizontal bars, lengths proportional to `max` (the longest bar when `max` is 0).
    pub fn bars(id: &'static str, title: String, description: String, items: Vec<Item>, max: u64) -> Chart {
        let max = if max == 0 { items.iter().map(|i| i.magnitude).max().unwrap_or(0) } else { max };
        let bars = items
            .into_iter()
            .enumerate()
            .map(|(row, item)| {
                let width = (item.magnitude.min(max) * BAR_SPACE as u64).checked_div(max).unwrap_or(0) as u32;
                let top = row as u32 * ROW;
                Bar {
                    label: item.label,
                    value: item.value,
                    fill: item.fill,
                    bar_y: top + 23,
                    width,
                    label_y: top + 17,
                    value_y: top + 38,
                    value_x: width + 6,
                }
            })
            .collect::<Vec<_>>();
        let height = bars.len() as u32 * ROW + 4;
        Chart { id, title, description, width: WIDTH, height, bar_height: BAR_HEIGHT, bars }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(label: &str, magnitude: u64) -> Item {
        Item { label: label.into(), magnitude, value: magnitude.to_string(), fill: BLUE }
    }

    #[test]
    fn bars_are_proportional_and_stay_inside() {
        let chart = Chart::bars("c", "t".into(), "d".into(), vec![item("a", 10), item("b", 5), item("c", 0)], 0);
        let widths: Vec<u32> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, vec![BAR_SPACE, BAR_SPACE / 2, 0]);
        assert_eq!(chart.height, 3 * ROW + 4);
        assert!(chart.bars.iter().all(|b| b.value_x + 70 <= WIDTH), "a value like 100,0 % fits after the longest bar");
        let shares = Chart::bars("s", "t".into(), "d".into(), vec![item("x", 500)], 1000);
        assert_eq!(shares.bars[0].width, BAR_SPACE / 2);
        let empty = Chart::bars("e", "t".into(), "d".into(), vec![item("x", 0)], 0);
        assert_eq!(empty.bars[0].width, 0, "no division by zero");
    }
}
