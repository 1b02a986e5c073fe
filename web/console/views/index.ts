import type { FunctionComponent } from "preact";
import type { Me, Session } from "../session";
import { ConversationsView } from "./conversations";
import { KeysView } from "./keys";
import { ModelConfigsView } from "./model-configs";
import { OverviewView } from "./overview";
import { PersonasView } from "./personas";
import { PlaygroundView } from "./playground";
import { UsageView } from "./usage";
import { UsersView } from "./users";
import { VendorsView } from "./vendors";

export interface ViewProps {
  session: Session;
}

export interface ViewDef {
  id: string;
  title: string;
  component: FunctionComponent<ViewProps>;
  /** Whether this key may use the view at all: what a key cannot do is not shown to it. */
  visible(me: Me): boolean;
}

const anyone = () => true;
const admins = (me: Me) => me.is_admin;

/** The console's views, in the navigation's order. */
export const VIEWS: ViewDef[] = [
  { id: "overview", title: "Overview", component: OverviewView, visible: admins },
  { id: "usage", title: "Usage", component: UsageView, visible: anyone },
  { id: "users", title: "Users and keys", component: UsersView, visible: admins },
  { id: "keys", title: "My keys", component: KeysView, visible: (me) => me.user !== null && !me.is_admin },
  { id: "vendors", title: "Vendors", component: VendorsView, visible: admins },
  { id: "model-configs", title: "Model configs", component: ModelConfigsView, visible: admins },
  { id: "personas", title: "Personas", component: PersonasView, visible: anyone },
  // The API keeps conversations per user: the admin key has none.
  {
    id: "conversations",
    title: "Conversations",
    component: ConversationsView,
    visible: (me) => me.user !== null,
  },
  { id: "playground", title: "Playground", component: PlaygroundView, visible: anyone },
];

export const viewsFor = (me: Me): ViewDef[] => VIEWS.filter((v) => v.visible(me));
