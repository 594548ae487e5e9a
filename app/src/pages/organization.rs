//! `/organization`: the current organization, its members and invites; the person's
//! organizations (switch), and creating a new one.

use crate::api::org::{org_details, CreateInvite, CreateOrg, RemoveMember, RevokeInvite, SetMemberRole, SwitchOrg};
use crate::components::{
    field_error, refresh_session_on, use_session, ActionError, Authed, ConfirmStep, CopyButton, DataTable, Empty,
    FormField, Loading, Notice, PageHeader, SelectField, ShowError, Time,
};
use crate::types::{InviteInfo, MemberInfo, OrgDetails, Role, Viewer};
use leptos::either::Either;
use leptos::prelude::*;

/// The actions of this page, handed to its parts.
#[derive(Clone, Copy)]
struct OrgActions {
    create_invite: ServerAction<CreateInvite>,
    revoke_invite: ServerAction<RevokeInvite>,
    set_role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
}

const ROLES: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Admin => "Admin",
        Role::Member => "Member",
    }
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let actions = OrgActions {
        create_invite: ServerAction::new(),
        revoke_invite: ServerAction::new(),
        set_role: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let create_org = ServerAction::<CreateOrg>::new();
    let switch = ServerAction::<SwitchOrg>::new();
    refresh_session_on(create_org);
    refresh_session_on(switch);
    let details = Resource::new(
        move || {
            (
                epoch.get(),
                actions.create_invite.version().get(),
                actions.revoke_invite.version().get(),
                actions.set_role.version().get(),
                actions.remove.version().get(),
            )
        },
        |_| org_details(),
    );

    view! {
        <PageHeader title="Organization" description="Members, invitations and the organizations you belong to."/>
        <Authed let:viewer>
            <OrgBody viewer actions details create_org switch/>
        </Authed>
    }
}

#[component]
fn OrgBody(
    viewer: Viewer,
    actions: OrgActions,
    details: Resource<Result<OrgDetails, crate::types::ConsoleError>>,
    create_org: ServerAction<CreateOrg>,
    switch: ServerAction<SwitchOrg>,
) -> impl IntoView {
    let csrf = viewer.csrf.clone();
    let details_viewer = viewer.clone();
    view! {
            <section class="card" aria-labelledby="org-heading">
                <ActionError action=actions.set_role/>
                <ActionError action=actions.remove/>
                <ActionError action=actions.revoke_invite/>
                <Transition fallback=|| view! { <Loading/> }>
                    {
                        move || {
                            let viewer = details_viewer.clone();
                            Suspend::new(async move {
                                match details.await {
                                    Ok(d) => Either::Left(view! { <OrgView details=d viewer actions/> }),
                                    Err(e) => Either::Right(view! { <ShowError error=e/> }),
                                }
                            })
                        }
                    }
                </Transition>
            </section>
            <MyOrgs viewer switch/>
            <section class="card" aria-labelledby="create-org-heading">
                <h2 id="create-org-heading">"Create an organization"</h2>
                <p class="muted">"A shared place for keys and balance, with its own members. You become its owner."</p>
                <ActionForm action=create_org attr:class="form-row" attr:data-testid="create-org-form" attr:novalidate=true>
                    <input type="hidden" name="csrf" value=csrf/>
                    <FormField
                        label="Organization name"
                        name="name"
                        id="field-org-name".to_string()
                        required=true
                        error=field_error(create_org, "name")
                    />
                    <div class="form-actions">
                        <button type="submit" class="button" disabled=move || create_org.pending().get()>"Create organization"</button>
                    </div>
                </ActionForm>
                <ActionError action=create_org fields=&["name"]/>
                {move || create_org.value().get().and_then(Result::ok).map(|org| view! {
                    <Notice testid="org-created">
                        {format!("Organization “{}” created. Switch to it from the list above or the top bar.", org.name)}
                    </Notice>
                })}
            </section>
    }
}

#[component]
fn OrgView(details: OrgDetails, viewer: Viewer, actions: OrgActions) -> impl IntoView {
    let OrgDetails { org, members, invites } = details;
    // A personal organization has one member, who cannot leave or change role.
    let manage = org.role.can_manage() && !org.personal;
    let invites_allowed = org.role.can_manage();
    let csrf = viewer.csrf.clone();
    let row_csrf = csrf.clone();
    let me = viewer.user_id.clone();
    view! {
        <div class="card-header">
            <h2 id="org-heading" data-testid="org-name">{org.name.clone()}</h2>
            <span class="badges">
                {org.personal.then(|| view! { <span class="badge">"personal"</span> })}
                <span class="badge role" data-testid="my-role">{format!("you: {}", org.role.as_str())}</span>
            </span>
        </div>
        <h3>"Members"</h3>
        <DataTable
            headers=if manage { vec!["Email", "Role", "Joined", "Actions"] } else { vec!["Email", "Role", "Joined"] }
            caption="Members of this organization"
            testid="members"
        >
            {members
                .into_iter()
                .map(|m| {
                    let is_me = m.user_id == me;
                    view! { <MemberRow member=m manage is_me my_role=org.role csrf=row_csrf.clone() actions/> }
                })
                .collect_view()}
        </DataTable>
        {match (invites_allowed, org.personal) {
            (true, false) => Some(Either::Left(view! { <Invites invites csrf=csrf.clone() actions/> })),
            (true, true) => Some(Either::Right(view! {
                <p class="muted note" data-testid="personal-org-note">
                    "A personal organization has only you in it. To work with others, create an organization below and invite them there."
                </p>
            })),
            (false, _) => None,
        }}
    }
}

#[component]
fn MemberRow(
    member: MemberInfo,
    manage: bool,
    is_me: bool,
    my_role: Role,
    csrf: String,
    actions: OrgActions,
) -> impl IntoView {
    let MemberInfo { user_id, email, role, joined_at } = member;
    // Only owners hand out or take away ownership.
    let editable = manage && (my_role == Role::Owner || role != Role::Owner);
    let cell = manage.then(|| {
        if !editable {
            return Either::Left(view! { <span class="muted">"—"</span> });
        }
        let select_id = format!("role-{user_id}");
        let roles: Vec<Role> = ROLES.into_iter().filter(|r| my_role == Role::Owner || *r != Role::Owner).collect();
        let (csrf2, user_id2) = (csrf.clone(), user_id.clone());
        let remove_label = if is_me { "Leave" } else { "Remove" };
        let role_words = format!("Role of {email}");
        let remove_words = format!("{remove_label} {email}");
        Either::Right(view! {
            <ActionForm action=actions.set_role attr:class="inline-form" attr:data-testid="role-form">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <input type="hidden" name="user_id" value=user_id.clone()/>
                <label class="sr-only" for=select_id.clone()>{role_words}</label>
                <select id=select_id name="role" class="small" data-testid="role-select">
                    {roles
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str() selected=r == role>{role_label(r)}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button secondary small" data-testid="save-role">"Save role"</button>
            </ActionForm>
            <ConfirmStep
                label=remove_label
                aria_label=remove_words
                question="Remove from the organization?"
                testid="remove-member"
                confirm=move || {
                    let (csrf, user_id) = (csrf2.clone(), user_id2.clone());
                    view! {
                        <ActionForm action=actions.remove attr:class="inline-form">
                            <input type="hidden" name="csrf" value=csrf/>
                            <input type="hidden" name="user_id" value=user_id/>
                            <button type="submit" class="button danger small" data-testid="confirm-remove-member">"Yes, remove"</button>
                        </ActionForm>
                    }
                }
            />
        })
    });
    let shown_email = email.clone();
    view! {
        <tr data-testid="member-row" data-email=email data-role=role.as_str()>
            <th scope="row">
                {shown_email}
                {is_me.then(|| view! { <span class="muted">" (you)"</span> })}
            </th>
            <td><span class="badge role" data-testid="member-role">{role.as_str()}</span></td>
            <td><Time at=Some(joined_at)/></td>
            {cell.map(|c| view! { <td class="actions">{c}</td> })}
        </tr>
    }
}

#[component]
fn Invites(invites: Vec<InviteInfo>, csrf: String, actions: OrgActions) -> impl IntoView {
    let options = vec![("member", "Member"), ("admin", "Admin")];
    let create = actions.create_invite;
    let form_csrf = csrf.clone();
    view! {
        <h3 id="invites-heading">"Invitations"</h3>
        <p class="muted">"Anyone signed in who opens an invitation link joins with its role. Copy a link when you create it: it is shown only then. Links expire."</p>
        <ActionForm action=create attr:class="form-row" attr:data-testid="create-invite-form">
            <input type="hidden" name="csrf" value=form_csrf/>
            <SelectField label="Role" name="role" id="invite-role".to_string() options selected="member"
                error=field_error(create, "role")/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || create.pending().get()>"Create invitation link"</button>
            </div>
        </ActionForm>
        <ActionError action=create fields=&["role"]/>
        {move || create.value().get().and_then(Result::ok).map(|invite| view! {
            <Notice testid="new-invite">
                <p>{format!("Invitation link for a new {}:", invite.role.as_str())}</p>
                <div class="secret-box">
                    <code class="secret" data-testid="invite-link">{invite.link.clone()}</code>
                    <CopyButton text=invite.link aria_label="Copy the invitation link"/>
                </div>
            </Notice>
        })}
        {if invites.is_empty() {
            Either::Left(view! { <Empty testid="invites-empty">"No open invitations."</Empty> })
        } else {
            Either::Right(view! {
                <DataTable headers=vec!["Role", "Link", "Created", "Expires", "Actions"] caption="Open invitations" testid="invites">
                    {invites
                        .into_iter()
                        .map(|i| {
                            let csrf = csrf.clone();
                            // The server keeps only a hash of each invite's token: the link
                            // exists in full only in the answer to its creation.
                            let link = if i.link.is_empty() {
                                Either::Left(view! { <span class="muted">"shown once, when created"</span> })
                            } else {
                                Either::Right(view! {
                                    <div class="link-cell">
                                        <code class="truncate" title=i.link.clone()>{i.link.clone()}</code>
                                        <CopyButton text=i.link aria_label="Copy this invitation link"/>
                                    </div>
                                })
                            };
                            view! {
                                <tr data-testid="invite-row" data-role=i.role.as_str()>
                                    <td><span class="badge role">{i.role.as_str()}</span></td>
                                    <td>{link}</td>
                                    <td><Time at=Some(i.created_at)/></td>
                                    <td><Time at=Some(i.expires_at)/></td>
                                    <td class="actions">
                                        <ActionForm action=actions.revoke_invite attr:class="inline-form">
                                            <input type="hidden" name="csrf" value=csrf/>
                                            <input type="hidden" name="invite_id" value=i.id/>
                                            <button type="submit" class="button danger-outline small" data-testid="revoke-invite">
                                                "Revoke"
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </DataTable>
            })
        }}
    }
}

/// The organizations the person belongs to, with a switch button for the others.
#[component]
fn MyOrgs(viewer: Viewer, switch: ServerAction<SwitchOrg>) -> impl IntoView {
    let Viewer { org: current, orgs, csrf, .. } = viewer;
    view! {
        <section class="card" aria-labelledby="my-orgs-heading">
            <h2 id="my-orgs-heading">"Your organizations"</h2>
            <ActionError action=switch/>
            <ul class="org-list" data-testid="org-list">
                {orgs
                    .into_iter()
                    .map(|o| {
                        let is_current = o.id == current.id;
                        let name = o.name.clone();
                        view! {
                            <li class="org-item" data-testid="org-item" data-org-name=o.name.clone() class:current=is_current>
                                <span class="org-item-name">{o.name.clone()}</span>
                                {o.personal.then(|| view! { <span class="badge">"personal"</span> })}
                                <span class="badge role">{o.role.as_str()}</span>
                                {if is_current {
                                    Either::Left(view! { <span class="current-tag" aria-current="true">"current"</span> })
                                } else {
                                    let (csrf, org_id) = (csrf.clone(), o.id.clone());
                                    Either::Right(view! {
                                        <ActionForm action=switch attr:class="inline-form">
                                            <input type="hidden" name="csrf" value=csrf/>
                                            <input type="hidden" name="org_id" value=org_id/>
                                            <button
                                                type="submit"
                                                class="button secondary small"
                                                data-testid="switch-org"
                                                aria-label=format!("Switch to {name}")
                                            >
                                                "Switch"
                                            </button>
                                        </ActionForm>
                                    })
                                }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
