/**
 * The forecast chart as a PNG: the SVG from src/domain/forecast-chart.ts rasterized by resvg (Rust,
 * prebuilt for each platform as an optional npm dependency; no browser, nothing downloaded at run
 * time). Text is drawn with the Inter TTF shipped in @expo-google-fonts/inter, and system fonts are
 * not loaded, so the picture is the same on a laptop and in the slim image.
 *
 * dist/ is compiled by tsc, not bundled: the native module and the font stay in node_modules and are
 * found there at run time, also in a production install (`npm ci --omit=dev`).
 */
import { fileURLToPath } from 'node:url';
import { type RenderedImage, Resvg } from '@resvg/resvg-js';

const INTER_REGULAR = '@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf';

let fontFile: string | null = null;

/** Where the Inter font file is (resolved once, on first use). */
export function interFontFile(): string {
  fontFile ??= fileURLToPath(import.meta.resolve(INTER_REGULAR));
  return fontFile;
}

/** The SVG drawn at its own width and height, as raw pixels and PNG. */
export function rasterize(svg: string): RenderedImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: { fontFiles: [interFontFile()], loadSystemFonts: false, defaultFontFamily: 'Inter' },
    logLevel: 'off',
  });
  return resvg.render();
}

export function renderPng(svg: string): Buffer {
  return rasterize(svg).asPng();
}
