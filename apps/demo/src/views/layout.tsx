import type { Child } from 'hono/jsx';
import { CSRF_FIELD } from '../security';

export interface NavLink {
  readonly href: string;
  readonly label: string;
}

export interface LayoutProps {
  readonly title: string;
  readonly nav?: readonly NavLink[];
  readonly current?: string | undefined;
  readonly flash?: { readonly kind: 'ok' | 'error'; readonly text: string } | null;
  readonly children?: Child;
}

/** The page frame: header with navigation, one main column, no scripts. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · Candor demo`}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            Candor demo
          </a>
          <nav aria-label="Main">
            {(props.nav ?? []).map((link) => (
              <a href={link.href} aria-current={link.href === props.current ? 'page' : undefined}>
                {link.label}
              </a>
            ))}
          </nav>
        </header>
        <main>
          {props.flash ? (
            <div class={`card flash ${props.flash.kind}`} role="status">
              {props.flash.text}
            </div>
          ) : null}
          {props.children}
        </main>
        <footer>
          Candor sample app · every decision on this page comes from the real packages and the
          database.
        </footer>
      </body>
    </html>
  );
}

/** A POST form carrying the CSRF token. */
export function PostForm(props: {
  readonly action: string;
  readonly csrf: string;
  readonly class?: string;
  readonly children?: Child;
}) {
  return (
    <form method="post" action={props.action} class={props.class}>
      <input type="hidden" name={CSRF_FIELD} value={props.csrf} />
      {props.children}
    </form>
  );
}

/** A one-button POST form (grant, withdraw, feedback …). */
export function ActionButton(props: {
  readonly action: string;
  readonly csrf: string;
  readonly label: string;
  readonly variant?: 'primary' | 'secondary' | 'danger';
  readonly fields?: Readonly<Record<string, string>>;
}) {
  return (
    <PostForm action={props.action} csrf={props.csrf} class="inline">
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.variant === 'primary' ? undefined : props.variant}>
        {props.label}
      </button>
    </PostForm>
  );
}
