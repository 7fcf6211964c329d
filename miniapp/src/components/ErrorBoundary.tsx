import { Component, type ComponentChildren } from 'preact';
import { StartupError } from '../screens/StartupError';
import { ready } from '../telegram';

interface State {
  failed: boolean;
  error: unknown;
}

/** A screen that throws while rendering shows the error screen, not a blank page. */
export class ErrorBoundary extends Component<{ children: ComponentChildren }, State> {
  state: State = { failed: false, error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { failed: true, error };
  }

  componentDidCatch(error: unknown): void {
    // Caught, so the browser reports nothing by itself: the console keeps it for whoever debugs.
    console.error('The Mini App failed to render:', error);
    // Telegram keeps its loading placeholder until ready(): the error screen is a first screen too.
    try {
      ready();
    } catch {
      // No client to tell.
    }
  }

  render() {
    return this.state.failed ? <StartupError error={this.state.error} /> : this.props.children;
  }
}
