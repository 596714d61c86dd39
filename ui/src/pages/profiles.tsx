import { tams } from '../api/http.ts';
import type { Profile } from '../api/types.ts';
import {
  Await,
  JsonBlock,
  ListTable,
  PageTitle,
  PropRow,
  ShortId,
  TagList,
  useLoad,
  wide,
} from '../components/common.tsx';
import { Filters, FORMAT_FIELD, listingQuery } from '../components/filters.tsx';
import { useListing } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import { TECHNICAL_COLUMNS, TechnicalCells } from '../components/technical.tsx';
import { href, type Route, withQuery } from '../router.ts';

const FILTERS = [
  { name: 'label', label: 'Label' },
  FORMAT_FIELD,
  { name: 'codec', label: 'Codec', placeholder: 'video/h264' },
];

/**
 * Flow Profiles (TAMS 8.2 `/service/profiles`): the store's house formats, each with the Flows
 * made from it. `?id=` shows one Profile whole.
 */
export function ProfilesPage({ route }: { route: Route }) {
  const id = route.query.get('id');
  return id ? <ProfileView id={id} /> : <ProfileList route={route} />;
}

function ProfileList({ route }: { route: Route }) {
  const query = listingQuery(route.query, ['label', 'format', 'codec']);
  const result = useListing<Profile>('/service/profiles', query);
  const filtered = ['label', 'format', 'codec'].some((name) => route.query.has(name));
  return (
    <section>
      <PageTitle>Flow profiles</PageTitle>
      <Filters path="/profiles" query={route.query} fields={FILTERS} tags={false} />
      <Await result={result} what="Profiles">
        {(value) => (
          <>
            {value.items.length === 0 && !filtered ? (
              <ProfilesOrigin />
            ) : (
              <ListTable
                items={value.items}
                empty="No Profile matches."
                testid="profiles"
                columns={[...TECHNICAL_COLUMNS, wide('Tags'), 'Flows', 'Id']}
                row={(profile) => (
                  <tr key={profile.id}>
                    <TechnicalCells
                      link={href(withQuery('/profiles', { id: profile.id }))}
                      label={profile.label}
                      metadata={profile.flow_metadata}
                    />
                    <td class="wide">
                      <TagList tags={profile.tags} />
                    </td>
                    <td>
                      <a href={href(withQuery('/flows', { profile_id: profile.id }))}>Flows</a>
                    </td>
                    <td>
                      <ShortId id={profile.id} />
                    </td>
                  </tr>
                )}
              />
            )}
            <Pager path="/profiles" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}

/** What an empty store's Profiles page says: where Profiles come from, and what they are for. */
function ProfilesOrigin() {
  return (
    <div class="empty-note" data-testid="profiles-empty">
      <p>This store has no Flow Profile yet.</p>
      <p class="muted">
        A Profile is a house format: the technical metadata (format, codec, essence parameters) Flows are made
        with. TAMS 8.2 clients create one with{' '}
        <code>POST /tams/v8.2/service/profiles/&#123;profileId&#125;</code>; once made it can be neither
        changed nor deleted. <code>tams-mgmt import</code> brings the Profile of each Flow it imports. A Flow
        made from one names it in its <code>profile_id</code> and takes its metadata.
      </p>
    </div>
  );
}

function ProfileView({ id }: { id: string }) {
  const result = useLoad(id, async (signal) => {
    return (await tams<Profile>(`/service/profiles/${encodeURIComponent(id)}`, { signal })).body;
  });
  return (
    <section>
      <PageTitle>Flow profile</PageTitle>
      <p>
        <a href={href('/profiles')}>All profiles</a> ·{' '}
        <a href={href(withQuery('/flows', { profile_id: id }))}>Flows made from it</a>
      </p>
      <Await result={result} what="the Profile">
        {(profile) => (
          <table class="props" data-testid="profile">
            <tbody>
              <PropRow name="Id">
                <code>{profile.id}</code>
              </PropRow>
              {profile.label && <PropRow name="Label">{profile.label}</PropRow>}
              {profile.description && <PropRow name="Description">{profile.description}</PropRow>}
              {profile.created && (
                <PropRow name="Created">
                  {`${profile.created}${profile.created_by ? ` by ${profile.created_by}` : ''}`}
                </PropRow>
              )}
              <PropRow name="Tags">
                <TagList tags={profile.tags} />
              </PropRow>
              <PropRow name="Flow metadata">
                <JsonBlock value={profile.flow_metadata} />
              </PropRow>
            </tbody>
          </table>
        )}
      </Await>
    </section>
  );
}
