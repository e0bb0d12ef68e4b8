// What the README generators share: copying a report's PNGs beside the docs, writing a snippet's
// Markdown, and splicing it between a file's markers. Not part of the package's API.

import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toMarkdown, type Block } from '../render/document.js';

/** Where a snippet goes. */
export interface SnippetOptions {
  /** the Markdown file to write (default `docs/results.md`) */
  file?: string;
  /** folder the PNGs are copied into (default `docs/results`) */
  imagesDir?: string;
  /** how the snippet links the images, relative to where it is pasted (default `docs/results`) */
  linkBase?: string;
}

/**
 * Copies each picture that exists (`from`, a PNG) into `imagesDir` as `file` and returns the Markdown
 * image lines linking them under `linkBase`; a missing one (a report written with --no-png) is left out.
 */
export async function copyPictures(
  pictures: readonly { from: string; file: string; caption: string }[],
  imagesDir: string,
  linkBase: string,
): Promise<string[]> {
  await mkdir(imagesDir, { recursive: true });
  const images: string[] = [];
  for (const { from, file, caption } of pictures) {
    try {
      await copyFile(from, path.join(imagesDir, file));
    } catch {
      continue;
    }
    images.push(`![${caption}](${linkBase}/${file})`);
  }
  return images;
}

/**
 * Copies the PNGs of `pictures` (name, caption) from `plotsDir` that exist into `to.imagesDir`,
 * adds their links to the blocks, writes the Markdown to `to.file` and returns it.
 */
export async function writeSnippet(
  blocks: Block[],
  plotsDir: string,
  pictures: readonly [string, string][],
  to: Required<SnippetOptions>,
): Promise<string> {
  const images = await copyPictures(
    pictures.map(([name, caption]) => ({
      from: path.join(plotsDir, `${name}.png`),
      file: `${name}.png`,
      caption,
    })),
    to.imagesDir,
    to.linkBase,
  );
  if (images.length) blocks.push({ kind: 'paragraph', text: images.join('\n') });
  const markdown = toMarkdown(blocks);
  await mkdir(path.dirname(to.file), { recursive: true });
  await writeFile(to.file, markdown);
  return markdown;
}

/**
 * Replaces what lies between two marker lines of a Markdown text (`<!-- name:start -->` and
 * `<!-- name:end -->`) with `content`; undefined when the text lacks the markers.
 *
 * @example
 * ```ts
 * spliceSection(readme, 'results', markdown); // README.md with its results section replaced
 * ```
 */
export function spliceSection(text: string, name: string, content: string): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return `${text.slice(0, from + start.length)}\n${content.trimEnd()}\n${text.slice(to)}`;
}
