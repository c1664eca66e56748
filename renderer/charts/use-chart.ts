import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';
import { type RefObject, useEffect, useRef } from 'react';

// Only the pieces ModelDock's charts draw (bars, lines, scatter), so the bundle stays small.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  ScatterController,
  PointElement,
  LinearScale,
  CategoryScale,
  Tooltip,
  Legend,
);

/**
 * Chart text and grid lines in the page's own colours (styles.css: --muted on the card, ≥ 4.5:1 in light
 * and dark), not chart.js's fixed #666, which is 2.6–2.9:1 on the dark cards.
 */
export function applyThemeColours(target: HTMLCanvasElement): void {
  const style = getComputedStyle(target);
  const text = style.getPropertyValue('--muted').trim();
  const grid = style.getPropertyValue('--border').trim();
  if (text) Chart.defaults.color = text;
  if (grid) Chart.defaults.borderColor = grid;
  // What the chart's text is drawn in, for the contrast check in the e2e tests (canvas text isn't in the DOM).
  target.dataset.textColour = String(Chart.defaults.color);
}

/**
 * Draws a chart.js chart on the canvas, redrawn when `config` changes or the OS switches between light
 * and dark, and destroyed on unmount.
 */
export function useChart(config: ChartConfiguration | null): RefObject<HTMLCanvasElement | null> {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    const target = canvas.current;
    if (!target || !config) return;
    let chart: Chart | null = null;
    const draw = () => {
      chart?.destroy();
      applyThemeColours(target);
      chart = new Chart(target, config);
    };
    draw();
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', draw);
    return () => {
      scheme.removeEventListener('change', draw);
      chart?.destroy();
    };
  }, [config]);
  return canvas;
}
