//! `/admin/users`: every account of the instance (administrators only).

use crate::api::admin::admin_users;
use crate::components::{use_session, DataTable, Empty, Loading, Money, PageHeader, ShowError, Time};
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let users = Resource::new(move || epoch.get(), |_| admin_users());
    view! {
        <PageHeader title="Users" description="Every account on this instance."/>
        <section class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) if list.is_empty() => Either::Left(Either::Left(view! { <Empty>"No users."</Empty> })),
                        Ok(list) => Either::Left(Either::Right(view! {
                            <DataTable
                                headers=vec!["Email", "Role", "Created", "Personal balance"]
                                caption="Users"
                                testid="users-list"
                            >
                                {list
                                    .into_iter()
                                    .map(|u| {
                                        let email = u.email.clone();
                                        view! {
                                        <tr data-testid="user-row" data-email=email>
                                            <th scope="row">{u.email}</th>
                                            <td>
                                                {if u.is_admin {
                                                    Either::Left(view! { <span class="badge admin">"administrator"</span> })
                                                } else {
                                                    Either::Right(view! { <span class="badge">"user"</span> })
                                                }}
                                            </td>
                                            <td><Time at=Some(u.created_at)/></td>
                                            <td class="num"><Money amount=u.personal_balance/></td>
                                        </tr>
                                    }})
                                    .collect_view()}
                            </DataTable>
                        })),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}
