//! `/admin/codes`: create redemption codes and list them (administrators only).

use crate::api::admin::{admin_codes, AdminCreateCodes};
use crate::components::{
    field_error, use_session, ActionError, Authed, CopyButton, DataTable, Empty, FormField, Loading, Money, Notice,
    PageHeader, ShowError, Time,
};
use crate::types::RedemptionCodeInfo;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn AdminCodesPage() -> impl IntoView {
    let epoch = use_session().epoch;
    let create = ServerAction::<AdminCreateCodes>::new();
    let codes = Resource::new(move || (epoch.get(), create.version().get()), |_| admin_codes());
    view! {
        <PageHeader title="Redemption codes" description="Codes that credit an organization's balance once."/>
        <Authed let:viewer>
            {viewer.is_admin.then(|| view! {
                <section class="card" aria-labelledby="create-codes-heading">
                    <h2 id="create-codes-heading">"Create codes"</h2>
                    <ActionForm action=create attr:class="form-row" attr:data-testid="create-codes-form" attr:novalidate=true>
                        <input type="hidden" name="csrf" value=viewer.csrf.clone()/>
                        <FormField
                            label="Amount (USD each)"
                            name="amount"
                            required=true
                            inputmode="decimal"
                            placeholder="10.00"
                            error=field_error(create, "amount")
                        />
                        <FormField
                            label="How many"
                            name="count"
                            kind="number"
                            required=true
                            value="1"
                            min="1"
                            step="1"
                            error=field_error(create, "count")
                        />
                        <div class="form-actions">
                            <button type="submit" class="button" disabled=move || create.pending().get()>"Create codes"</button>
                        </div>
                    </ActionForm>
                    <ActionError action=create fields=&["amount", "count"]/>
                    {move || create.value().get().and_then(Result::ok).map(|new_codes| view! { <NewCodes codes=new_codes/> })}
                </section>
            })}
        </Authed>
        <section class="card" aria-labelledby="codes-heading">
            <h2 id="codes-heading">"Codes"</h2>
            <Transition fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(list) if list.is_empty() => Either::Left(Either::Left(view! {
                            <Empty testid="codes-empty">"No codes yet."</Empty>
                        })),
                        Ok(list) => Either::Left(Either::Right(view! { <CodeTable codes=list/> })),
                        Err(e) => Either::Right(view! { <ShowError error=e/> }),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Codes just created, in full, ready to copy.
#[component]
fn NewCodes(codes: Vec<RedemptionCodeInfo>) -> impl IntoView {
    let all = codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join("\n");
    view! {
        <Notice testid="new-codes">
            <p>{format!("{} code(s) created. Copy them now.", codes.len())}</p>
            <ul class="code-list">
                {codes
                    .into_iter()
                    .map(|c| view! {
                        <li><code data-testid="new-code">{c.code}</code> " " <Money amount=c.amount/></li>
                    })
                    .collect_view()}
            </ul>
            <CopyButton text=all label="Copy all" aria_label="Copy all new codes"/>
        </Notice>
    }
}

#[component]
fn CodeTable(codes: Vec<RedemptionCodeInfo>) -> impl IntoView {
    view! {
        <DataTable headers=vec!["Code", "Amount", "Created", "Redeemed", "Redeemed by"] caption="Redemption codes" testid="codes-list">
            {codes
                .into_iter()
                .map(|c| {
                    let state = if c.redeemed_at.is_some() { "redeemed" } else { "open" };
                    let code = c.code.clone();
                    view! {
                        <tr data-testid="code-row" data-code=code data-state=state>
                            <th scope="row"><code>{c.code}</code></th>
                            <td class="num"><Money amount=c.amount/></td>
                            <td><Time at=Some(c.created_at)/></td>
                            <td><Time at=c.redeemed_at empty="not yet"/></td>
                            <td>{c.redeemed_by.unwrap_or_default()}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </DataTable>
    }
}
