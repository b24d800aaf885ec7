local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

-- CloudNativePG: status.phase is a sentence ("Cluster in healthy state",
-- "Setting up primary", ...), with details in status.phaseReason, and the
-- Ready condition summarises it.
local failed = {
  ["Unable to create required cluster objects"] = true,
  ["Cluster cannot create instance"] = true,
  ["Cluster is in an unrecoverable state, needs manual intervention"] = true,
  ["Cluster cannot proceed to reconciliation due to an unknown plugin being required"] = true,
  ["Cluster cannot proceed to reconciliation due to an error while retrieving the image catalog"] = true,
}
local st = obj.status or {}
local phase = st.phase or ""
local ready = condition("Ready")
if failed[phase] then
  local msg = phase
  if st.phaseReason ~= nil and st.phaseReason ~= "" then
    msg = phase .. ": " .. st.phaseReason
  end
  return {status = "Degraded", message = msg}
end
if phase == "Cluster in healthy state" and (ready == nil or ready.status == "True") then
  return {status = "Healthy", message = phase}
end
if phase == "" then
  return {status = "Progressing", message = "Waiting for the operator to set up the cluster"}
end
return {status = "Progressing", message = phase}
